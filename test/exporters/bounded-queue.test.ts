import { afterEach, describe, expect, it, vi } from "vitest";
import type { ExecutionEvent, Exporter } from "../../src/core/types.js";
import {
  BoundedQueueExporter,
  InnerExportTimeoutError,
  type BoundedQueueDropReason,
  type BoundedQueueExporterOptions,
} from "../../src/exporters/bounded-queue.js";
import { HttpExporter } from "../../src/exporters/http.js";
import { MemoryExporter } from "../../src/exporters/memory.js";
import { startCollector } from "../support/collector.js";
import { makeEvent, makeEvents, seqOf } from "./fixtures.js";

interface Gate {
  resolve(): void;
  reject(error: unknown): void;
}

/** An inner exporter whose exports settle only when the test says so. */
class ControlledExporter implements Exporter {
  readonly started: ExecutionEvent[] = [];
  readonly completed: ExecutionEvent[] = [];
  running = 0;
  maxRunning = 0;
  flushCalls = 0;
  shutdownCalls = 0;
  private readonly gates: Array<{ event: ExecutionEvent; gate: Gate }> = [];

  export(event: ExecutionEvent): Promise<void> {
    this.started.push(event);
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    return new Promise<void>((resolve, reject) => {
      this.gates.push({
        event,
        gate: {
          resolve: () => {
            this.running--;
            this.completed.push(event);
            resolve();
          },
          reject: (error) => {
            this.running--;
            reject(error);
          },
        },
      });
    });
  }

  get waiting(): number {
    return this.gates.length;
  }

  /** Settles the oldest running export. */
  resolveNext(): void {
    const next = this.gates.shift();
    if (next === undefined) throw new Error("no export is running");
    next.gate.resolve();
  }

  rejectNext(error: unknown): void {
    const next = this.gates.shift();
    if (next === undefined) throw new Error("no export is running");
    next.gate.reject(error);
  }

  flush(): void {
    this.flushCalls++;
  }

  shutdown(): void {
    this.shutdownCalls++;
  }
}

/** An inner exporter that settles each export after `delayMs`. */
class DelayedExporter implements Exporter {
  readonly received: ExecutionEvent[] = [];
  running = 0;
  maxRunning = 0;
  flushCalls = 0;

  constructor(private readonly delayMs: number) {}

  async export(event: ExecutionEvent): Promise<void> {
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    this.running--;
    this.received.push(event);
  }

  flush(): void {
    this.flushCalls++;
  }
}

const microtasks = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Harness {
  queue: BoundedQueueExporter;
  drops: Array<{ event: ExecutionEvent; reason: BoundedQueueDropReason }>;
  innerErrors: Array<{ error: unknown; event: ExecutionEvent | undefined }>;
}

function harness(options: BoundedQueueExporterOptions): Harness {
  const drops: Harness["drops"] = [];
  const innerErrors: Harness["innerErrors"] = [];
  const queue = new BoundedQueueExporter({
    onDrop: (event, reason) => drops.push({ event, reason }),
    onInnerError: (error, event) => innerErrors.push({ error, event }),
    ...options,
  });
  return { queue, drops, innerErrors };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("BoundedQueueExporter bounds", () => {
  it("never runs more than maxConcurrent nor queues more than maxQueue (drop-newest)", async () => {
    const inner = new ControlledExporter();
    const { queue, drops } = harness({ exporter: inner, maxConcurrent: 2, maxQueue: 3 });
    const events = makeEvents(10);
    for (const event of events) expect(queue.export(event)).toBeUndefined();

    expect(inner.started.map(seqOf)).toEqual([0, 1]);
    expect(queue.stats).toEqual({ exported: 0, failed: 0, dropped: 5, queued: 3, inFlight: 2 });
    expect(drops.map((d) => seqOf(d.event))).toEqual([5, 6, 7, 8, 9]);
    expect(drops.every((d) => d.reason === "queue_full")).toBe(true);

    while (inner.waiting > 0) {
      inner.resolveNext();
      await microtasks();
      expect(queue.stats.inFlight).toBeLessThanOrEqual(2);
      expect(queue.stats.queued).toBeLessThanOrEqual(3);
    }
    await queue.flush();

    expect(inner.maxRunning).toBe(2);
    expect(inner.started.map(seqOf)).toEqual([0, 1, 2, 3, 4]);
    expect(queue.stats).toEqual({ exported: 5, failed: 0, dropped: 5, queued: 0, inFlight: 0 });
  });

  it("drop-oldest gives up the longest-waiting events and queues the newest", async () => {
    const inner = new ControlledExporter();
    const { queue, drops } = harness({ exporter: inner, maxConcurrent: 2, maxQueue: 3, strategy: "drop-oldest" });
    for (const event of makeEvents(10)) queue.export(event);

    expect(drops.map((d) => seqOf(d.event))).toEqual([2, 3, 4, 5, 6]);
    expect(drops.every((d) => d.reason === "queue_full")).toBe(true);
    expect(queue.stats.queued).toBe(3);

    while (inner.waiting > 0) {
      inner.resolveNext();
      await microtasks();
    }
    await queue.flush();
    expect(inner.started.map(seqOf)).toEqual([0, 1, 7, 8, 9]);
    expect(queue.stats).toEqual({ exported: 5, failed: 0, dropped: 5, queued: 0, inFlight: 0 });
  });

  it("keeps FIFO order through the queue", async () => {
    const inner = new DelayedExporter(2);
    const { queue } = harness({ exporter: inner, maxConcurrent: 1, maxQueue: 100 });
    const events = makeEvents(30);
    for (const event of events) queue.export(event);
    await queue.flush();
    expect(inner.received).toEqual(events);
    expect(inner.maxRunning).toBe(1);
  });

  it("accounts for every event: exported + failed + dropped == sent", async () => {
    let calls = 0;
    let running = 0;
    let maxRunning = 0;
    const inner: Exporter = {
      export(event) {
        calls++;
        if (calls % 7 === 0) throw new Error(`sync failure ${seqOf(event)}`);
        running++;
        maxRunning = Math.max(maxRunning, running);
        const fail = calls % 5 === 0;
        return new Promise<void>((resolve, reject) =>
          setTimeout(() => {
            running--;
            if (fail) reject(new Error(`async failure ${seqOf(event)}`));
            else resolve();
          }, calls % 3),
        );
      },
    };
    const { queue, drops, innerErrors } = harness({ exporter: inner, maxConcurrent: 3, maxQueue: 20 });
    const sent = 300;
    for (let n = 0; n < sent; n++) {
      queue.export(makeEvent(n));
      if (n % 25 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(queue.stats.queued).toBeLessThanOrEqual(20);
      expect(queue.stats.inFlight).toBeLessThanOrEqual(3);
    }
    await queue.flush();

    const { exported, failed, dropped, queued, inFlight } = queue.stats;
    expect(queued + inFlight).toBe(0);
    expect(exported + failed + dropped).toBe(sent);
    expect(dropped).toBeGreaterThan(0);
    expect(failed).toBeGreaterThan(0);
    expect(drops).toHaveLength(dropped);
    expect(innerErrors).toHaveLength(failed);
    expect(innerErrors.every((e) => e.event !== undefined && e.error instanceof Error)).toBe(true);
    expect(maxRunning).toBeLessThanOrEqual(3);
    // Each event is reported at most once, in exactly one bucket.
    const reported = [...drops.map((d) => seqOf(d.event)), ...innerErrors.map((e) => seqOf(e.event!))];
    expect(new Set(reported).size).toBe(reported.length);
  });

  it("starts synchronous inner exports at once and never queues them", async () => {
    const memory = new MemoryExporter({ maxEvents: 5000 });
    const { queue, drops } = harness({ exporter: memory, maxConcurrent: 1, maxQueue: 1 });
    for (const event of makeEvents(2000)) queue.export(event);
    expect(memory.size).toBe(2000);
    expect(queue.stats).toEqual({ exported: 2000, failed: 0, dropped: 0, queued: 0, inFlight: 0 });
    expect(drops).toEqual([]);
  });

  it("drains a long queue of synchronous exports without deep recursion", async () => {
    let first = true;
    let release!: () => void;
    let exported = 0;
    const inner: Exporter = {
      export() {
        exported++;
        if (!first) return;
        first = false;
        return new Promise<void>((resolve) => (release = resolve));
      },
    };
    const { queue } = harness({ exporter: inner, maxConcurrent: 1, maxQueue: 50_000 });
    const event = makeEvent(1);
    for (let n = 0; n <= 50_000; n++) queue.export(event);
    expect(queue.stats.queued).toBe(50_000);
    release();
    await queue.flush();
    expect(exported).toBe(50_001);
    expect(queue.stats.exported).toBe(50_001);
  });
});

describe("BoundedQueueExporter inner failures", () => {
  it("reports a synchronous throw and a rejection to onInnerError and keeps going", async () => {
    const boom = new Error("boom");
    const nope = new Error("nope");
    const events = makeEvents(3);
    const inner: Exporter = {
      export(event) {
        if (event === events[0]) throw boom;
        if (event === events[1]) return Promise.reject(nope);
        return Promise.resolve();
      },
    };
    const { queue, innerErrors } = harness({ exporter: inner, maxConcurrent: 1 });
    for (const event of events) queue.export(event);
    await queue.flush();

    expect(innerErrors).toEqual([
      { error: boom, event: events[0] },
      { error: nope, event: events[1] },
    ]);
    expect(queue.stats).toMatchObject({ exported: 1, failed: 2 });
  });

  it("releases the slot of an export that never settles after exportTimeoutMs", async () => {
    const started: ExecutionEvent[] = [];
    const inner: Exporter = {
      export(event) {
        started.push(event);
        return new Promise<void>(() => undefined);
      },
    };
    const { queue, innerErrors } = harness({ exporter: inner, maxConcurrent: 1, exportTimeoutMs: 100 });
    const events = makeEvents(2);
    for (const event of events) queue.export(event);
    expect(started).toEqual([events[0]]);

    await queue.flush();

    expect(started).toEqual(events);
    expect(queue.stats).toEqual({ exported: 0, failed: 2, dropped: 0, queued: 0, inFlight: 0 });
    expect(innerErrors.map((e) => e.event)).toEqual(events);
    for (const { error } of innerErrors) {
      expect(error).toBeInstanceOf(InnerExportTimeoutError);
      expect(error).toMatchObject({ code: "ETIMEDOUT", message: "BoundedQueueExporter: inner export timed out after 100 ms" });
    }
  });

  it("ignores the late outcome of an export that already timed out", async () => {
    const inner: Exporter = {
      export: () => new Promise<void>((resolve) => setTimeout(resolve, 150)),
    };
    const { queue, innerErrors } = harness({ exporter: inner, exportTimeoutMs: 40 });
    queue.export(makeEvent(1));
    await queue.flush();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(queue.stats).toMatchObject({ exported: 0, failed: 1, inFlight: 0 });
    expect(innerErrors).toHaveLength(1);
  });

  it("contains onDrop and onInnerError handlers that throw", async () => {
    const queue = new BoundedQueueExporter({
      exporter: {
        export() {
          throw new Error("inner");
        },
      },
      maxConcurrent: 1,
      maxQueue: 1,
      onDrop: () => {
        throw new Error("drop handler");
      },
      onInnerError: () => {
        throw new Error("error handler");
      },
    });
    expect(() => queue.export(makeEvent(1))).not.toThrow();
    await queue.shutdown();
    expect(() => queue.export(makeEvent(2))).not.toThrow();
    expect(queue.stats).toMatchObject({ failed: 1, dropped: 1 });
  });

  it("writes failures and drops to stderr by default", async () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const inner = new ControlledExporter();
    const queue = new BoundedQueueExporter({ exporter: inner, maxConcurrent: 1, maxQueue: 1 });
    const events = makeEvents(1003);
    for (const event of events) queue.export(event);
    inner.rejectNext(new Error("collector down"));
    await microtasks();
    inner.resolveNext();
    await queue.flush();
    vi.restoreAllMocks();

    // 1001 dropped: one line for the first drop, one at the 1000th; one for the failure.
    expect(lines).toEqual([
      "intentproof: BoundedQueueExporter: dropped 1 event(s) so far (latest: queue_full)\n",
      "intentproof: BoundedQueueExporter: dropped 1000 event(s) so far (latest: queue_full)\n",
      `intentproof: BoundedQueueExporter: inner export of event ${events[0].id} failed: collector down\n`,
    ]);
  });
});

describe("BoundedQueueExporter flush and shutdown", () => {
  it("flush() resolves once the queue is drained, then flushes the inner exporter", async () => {
    const inner = new DelayedExporter(10);
    const { queue } = harness({ exporter: inner, maxConcurrent: 2 });
    for (const event of makeEvents(10)) queue.export(event);
    expect(queue.stats.queued).toBe(8);

    await queue.flush();

    expect(queue.stats).toEqual({ exported: 10, failed: 0, dropped: 0, queued: 0, inFlight: 0 });
    expect(inner.received).toHaveLength(10);
    expect(inner.flushCalls).toBe(1);
  });

  it("flush() when idle resolves and still flushes the inner exporter", async () => {
    const inner = new ControlledExporter();
    const { queue } = harness({ exporter: inner });
    await expect(queue.flush()).resolves.toBeUndefined();
    expect(inner.flushCalls).toBe(1);
  });

  it("flush() is bounded when the inner flush never settles", async () => {
    const { queue, innerErrors } = harness({
      exporter: { export: () => undefined, flush: () => new Promise<void>(() => undefined) },
      exportTimeoutMs: 50,
    });
    await queue.flush();
    expect(innerErrors).toHaveLength(1);
    expect(innerErrors[0].event).toBeUndefined();
    expect(innerErrors[0].error).toMatchObject({ message: "BoundedQueueExporter: inner flush timed out after 50 ms" });
  });

  it("reports an inner flush that rejects, without an event", async () => {
    const failure = new Error("flush failed");
    const { queue, innerErrors } = harness({ exporter: { export: () => undefined, flush: () => Promise.reject(failure) } });
    await expect(queue.flush()).resolves.toBeUndefined();
    expect(innerErrors).toEqual([{ error: failure, event: undefined }]);
  });

  it("shutdown() drains what is queued, drops later events with reason shutdown, then shuts the inner exporter down", async () => {
    const inner = new ControlledExporter();
    const { queue, drops } = harness({ exporter: inner, maxConcurrent: 1, maxQueue: 10 });
    const events = makeEvents(6);
    for (const event of events.slice(0, 5)) queue.export(event);

    const done = queue.shutdown();
    expect(queue.shutdown()).toBe(done);
    queue.export(events[5]);
    expect(drops).toEqual([{ event: events[5], reason: "shutdown" }]);
    expect(inner.shutdownCalls).toBe(0);

    while (inner.waiting > 0) {
      inner.resolveNext();
      await microtasks();
    }
    await done;

    expect(inner.completed).toEqual(events.slice(0, 5));
    expect(inner.shutdownCalls).toBe(1);
    expect(inner.flushCalls).toBe(0);
    expect(queue.stats).toEqual({ exported: 5, failed: 0, dropped: 1, queued: 0, inFlight: 0 });
  });

  it("shutdown() flushes an inner exporter that has no shutdown()", async () => {
    const inner = new DelayedExporter(5);
    const { queue } = harness({ exporter: inner });
    queue.export(makeEvent(1));
    await queue.shutdown();
    expect(inner.flushCalls).toBe(1);
    expect(inner.received).toHaveLength(1);
  });

  it.each([true, false])("bounds requests to a real collector in front of an HttpExporter (awaitEach %s)", async (awaitEach) => {
    const collector = await startCollector({ delayMs: 20 });
    const http = new HttpExporter({ url: collector.url, awaitEach });
    const { queue, drops, innerErrors } = harness({ exporter: http, maxConcurrent: 2, maxQueue: 100 });
    try {
      const events = makeEvents(20);
      for (const event of events) {
        queue.export(event);
        expect(http.inFlight).toBeLessThanOrEqual(2);
      }
      await queue.shutdown();
      expect(collector.events().map(seqOf)).toEqual(events.map(seqOf));
      expect(queue.stats.exported).toBe(20);
      expect(drops).toEqual([]);
      expect(innerErrors).toEqual([]);
    } finally {
      await collector.close();
    }
  });
});

describe("BoundedQueueExporter options", () => {
  const inner: Exporter = { export: () => undefined };

  it.each([
    ["null", null],
    ["undefined", undefined],
    ["an empty object", {}],
    ["an object whose export is not a function", { export: 1 }],
    ["a string", "http"],
  ])("rejects %s as exporter with a TypeError naming exporter", (_label, exporter) => {
    expect(() => new BoundedQueueExporter({ exporter: exporter as never })).toThrow(TypeError);
    expect(() => new BoundedQueueExporter({ exporter: exporter as never })).toThrow(/BoundedQueueExporter: "exporter" must be an exporter/);
  });

  it.each([
    [{ maxConcurrent: 0 }, /"maxConcurrent" must be a positive integer, got 0/],
    [{ maxConcurrent: 1.5 }, /"maxConcurrent"/],
    [{ maxQueue: -1 }, /"maxQueue" must be a positive integer/],
    [{ maxQueue: Number.NaN }, /"maxQueue"/],
    [{ strategy: "fifo" }, /"strategy" must be "drop-newest" or "drop-oldest", got "fifo"/],
    [{ exportTimeoutMs: 0 }, /"exportTimeoutMs" must be a number of milliseconds greater than 0 and at most 2147483647/],
    // Node turns a larger delay into a 1 ms timer: every export would time out at once.
    [{ exportTimeoutMs: 2 ** 31 }, /"exportTimeoutMs" must be a number of milliseconds .* at most 2147483647 \(2\^31-1\), got 2147483648/],
    [{ maxQeue: 10 }, /BoundedQueueExporter: unknown field "maxQeue" \(did you mean "maxQueue"\?\)/],
    [{ onDrop: true }, /"onDrop" must be a function/],
    [{ onInnerError: "log" }, /"onInnerError" must be a function/],
    [{ exporter: { export: () => undefined, flush: 1 } }, /"exporter" has a "flush" that is not a function/],
  ])("rejects %o", (extra, message) => {
    expect(() => new BoundedQueueExporter({ exporter: inner, ...(extra as object) })).toThrow(TypeError);
    expect(() => new BoundedQueueExporter({ exporter: inner, ...(extra as object) })).toThrow(message);
  });

  it("requires options", () => {
    expect(() => new BoundedQueueExporter(undefined as never)).toThrow(TypeError);
  });

  it("has the documented defaults", () => {
    const innerExporter = new ControlledExporter();
    const queue = new BoundedQueueExporter({ exporter: innerExporter, onDrop: () => undefined });
    for (const event of makeEvents(1010)) queue.export(event);
    // 4 running, 1000 queued, the rest dropped as the newest.
    expect(queue.stats).toMatchObject({ inFlight: 4, queued: 1000, dropped: 6 });
  });
});
