/**
 * Exporters that throw, reject, never settle or are slow: the wrapped call's
 * caller only ever sees its own value or error, every failure reaches
 * `onExporterError` exactly once, and a stuck exporter holds neither the
 * next calls nor `flush()` past `exporterTimeoutMs`.
 *
 * Documented behaviour (src/core/client.ts): exporter promises are never
 * awaited by the caller. The client tracks each pending export with a
 * deadline of `exporterTimeoutMs` (default 10 000 ms) from the moment the
 * event was emitted; `flush()`/`shutdown()` wait for pending exports until
 * their deadline and report each one still pending as an
 * `ExporterTimeoutError` (code `EXPORTER_TIMEOUT`). A late outcome of an
 * export already reported is ignored.
 */
import { describe, expect, it, vi } from "vitest";
import { BoundedQueueExporter, ExporterTimeoutError, HttpExporter, IntentProofClient } from "../../src/index.js";
import { ERROR_LOG_LINES_PER_WINDOW, ERROR_LOG_WINDOW_MS } from "../../src/core/exporter-error-log.js";
import { startCollector } from "../support/collector.js";
import type { ExecutionEvent, Exporter } from "../../src/index.js";
import { CheckedExporter, expectValidEvent } from "../support/event-validator.js";

interface Failure {
  error: unknown;
  event: ExecutionEvent | undefined;
}

function recordingClient(exporters: Exporter[], exporterTimeoutMs?: number) {
  const failures: Failure[] = [];
  const checked = new CheckedExporter();
  const client = new IntentProofClient({
    exporters: [...exporters, checked],
    onExporterError: (error, event) => failures.push({ error, event }),
    ...(exporterTimeoutMs === undefined ? {} : { exporterTimeoutMs }),
  });
  return { client, failures, checked };
}

const never = (): Promise<void> => new Promise<void>(() => undefined);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe("exporter faults never reach the caller", () => {
  const faulty: Record<string, () => Exporter> = {
    "throws synchronously": () => ({
      export() {
        throw new Error("exporter exploded");
      },
    }),
    "throws a non-Error": () => ({
      export() {
        throw undefined; // eslint-disable-line no-throw-literal
      },
    }),
    rejects: () => ({ export: () => Promise.reject(new Error("exporter rejected")) }),
    "returns a thenable whose then throws": () => ({
      export: () =>
        ({
          then() {
            throw new Error("then exploded");
          },
        }) as unknown as Promise<void>,
    }),
  };

  for (const [name, make] of Object.entries(faulty)) {
    it(`an exporter that ${name}: sync and async callers get their own result and error; one report per event`, async () => {
      const { client, failures, checked } = recordingClient([make()]);
      const ownError = new RangeError("caller's own");
      const syncOk = client.wrap({ intent: "Add", action: "math.add" }, (a: number, b: number) => a + b);
      const syncFail = client.wrap({ intent: "Fail", action: "math.fail" }, () => {
        throw ownError;
      });
      const asyncOk = client.wrap({ intent: "Load", action: "db.load" }, async (id: string) => ({ id }));
      const asyncFail = client.wrap({ intent: "Load", action: "db.fail" }, async () => {
        throw ownError;
      });

      expect(syncOk(2, 3)).toBe(5);
      expect(() => syncFail()).toThrow(ownError);
      await expect(asyncOk("x")).resolves.toEqual({ id: "x" });
      await expect(asyncFail()).rejects.toBe(ownError);
      await client.flush();

      // The healthy exporter registered after the faulty one still got all four.
      const events = checked.getEvents();
      expect(events.map((e) => e.action)).toEqual(["math.add", "math.fail", "db.load", "db.fail"]);
      for (const event of events) expectValidEvent(event);
      expect(failures).toHaveLength(4);
      expect(failures.map((f) => f.event?.id)).toEqual(events.map((e) => e.id));
      // A second flush reports nothing again.
      await client.flush();
      expect(failures).toHaveLength(4);
    });
  }

  it("a never-settling export does not block later calls; flush reports it once as ExporterTimeoutError and returns", async () => {
    const stuck: Exporter = { export: never };
    const { client, failures, checked } = recordingClient([stuck], 150);
    const wrapped = client.wrap({ intent: "Ping", action: "ping" }, (n: number) => n * 2);

    const results: number[] = [];
    for (let i = 0; i < 100; i++) results.push(wrapped(i));
    expect(results[99]).toBe(198);
    expect(checked.getEvents()).toHaveLength(100);
    expect(failures).toHaveLength(0); // nothing is reported before flush looks

    const started = Date.now();
    await client.flush();
    const waited = Date.now() - started;
    expect(waited).toBeLessThan(5_000); // bounded by the deadline, not by the stuck exporter

    expect(failures).toHaveLength(100);
    for (const failure of failures) {
      expect(failure.error).toBeInstanceOf(ExporterTimeoutError);
      expect((failure.error as ExporterTimeoutError).code).toBe("EXPORTER_TIMEOUT");
    }
    expect(new Set(failures.map((f) => f.event?.id)).size).toBe(100);

    await client.flush();
    await client.shutdown();
    expect(failures).toHaveLength(100);
  });

  it("a slow export finishing within exporterTimeoutMs is awaited by flush and not reported", async () => {
    let delivered = 0;
    const slow: Exporter = {
      export: async () => {
        await sleep(60);
        delivered++;
      },
    };
    const { client, failures } = recordingClient([slow], 2_000);
    const wrapped = client.wrap({ intent: "Ping", action: "ping" }, async () => "pong");
    await Promise.all(Array.from({ length: 20 }, () => wrapped()));
    expect(delivered).toBe(0); // the caller did not wait for the exporter
    await client.flush();
    expect(delivered).toBe(20);
    expect(failures).toHaveLength(0);
  });

  it("an export that outlives its deadline and then rejects is reported once (as the timeout), not twice", async () => {
    const late: Exporter = {
      export: async () => {
        await sleep(250);
        throw new Error("too late");
      },
    };
    const { client, failures } = recordingClient([late], 50);
    client.wrap({ intent: "Ping", action: "ping" }, () => 1)();
    await client.flush();
    expect(failures).toHaveLength(1);
    expect(failures[0]!.error).toBeInstanceOf(ExporterTimeoutError);
    await sleep(300);
    expect(failures).toHaveLength(1);
  });

  it("a wrap's own exporterTimeoutMs overrides the client's", async () => {
    const { client, failures } = recordingClient([{ export: never }], 60_000);
    client.wrap({ intent: "Ping", action: "ping", exporterTimeoutMs: 40 }, () => 1)();
    const started = Date.now();
    await client.flush();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(failures).toHaveLength(1);
  });

  it("flush and shutdown hooks that throw, reject or hang are reported without an event and never reject", async () => {
    const hooks: Exporter[] = [
      {
        export: () => undefined,
        flush() {
          throw new Error("flush threw");
        },
      },
      { export: () => undefined, flush: () => Promise.reject(new Error("flush rejected")) },
      {
        export: () => undefined,
        shutdown: () => Promise.reject(new Error("shutdown rejected")),
      },
    ];
    const { client, failures } = recordingClient(hooks);
    await expect(client.flush()).resolves.toBeUndefined();
    expect(failures.map((f) => (f.error as Error).message).sort()).toEqual(["flush rejected", "flush threw"]);
    expect(failures.every((f) => f.event === undefined)).toBe(true);
    failures.length = 0;
    await expect(client.shutdown()).resolves.toBeUndefined();
    expect(failures.map((f) => (f.error as Error).message).sort()).toEqual([
      "flush rejected",
      "flush threw",
      "shutdown rejected",
    ]);
  });

  it("an onExporterError hook that throws does not reach the caller either", async () => {
    const client = new IntentProofClient({
      exporters: [
        {
          export() {
            throw new Error("exporter");
          },
        },
        new CheckedExporter(),
      ],
      onExporterError() {
        throw new Error("hook");
      },
    });
    expect(client.wrap({ intent: "Ping", action: "ping" }, () => "ok")()).toBe("ok");
    await expect(client.flush()).resolves.toBeUndefined();
  });

  it("an exporter that mutates the event changes neither the caller's value nor what later exporters receive", async () => {
    // Each exporter gets its own copy of the event (issue 9 item 13).
    let mutated: ExecutionEvent | undefined;
    const mutating: Exporter = {
      export(event) {
        const e = event as unknown as Record<string, any>;
        e.intent = "tampered";
        e.inputs["0"].a = 2;
        e.output.a = 3;
        delete e.correlationId;
        mutated = event;
      },
    };
    const { client, checked } = recordingClient([mutating]);
    const value = { a: 1 };
    expect(client.wrap({ intent: "Keep", action: "keep" }, (input: { a: number }) => ({ ...input }))(value)).toEqual(value);
    expect(value).toEqual({ a: 1 });
    expect(mutated).toMatchObject({ intent: "tampered", inputs: { 0: { a: 2 } }, output: { a: 3 } });
    const event = checked.getEvents()[0]!;
    expect(event).toMatchObject({ intent: "Keep", inputs: { 0: { a: 1 } }, output: { a: 1 } });
    expect(event.correlationId).toBeDefined();
  });
});

describe("outage reporting does not flood stderr", () => {
  function captureStderr() {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: unknown) => {
      lines.push(...String(chunk).split("\n").filter((line) => line !== ""));
      return true;
    });
    const error = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(" "));
    });
    return {
      lines,
      restore: () => {
        spy.mockRestore();
        error.mockRestore();
      },
    };
  }

  it("the default onExporterError prints a few lines per window, then one summary", async () => {
    vi.useFakeTimers();
    const stderr = captureStderr();
    try {
      const checked = new CheckedExporter();
      const broken: Exporter = {
        export() {
          throw new Error("collector unreachable");
        },
      };
      const client = new IntentProofClient({ exporters: [broken, checked] });
      const call = client.wrap({ intent: "Ship an order", action: "orders.ship" }, (n: number) => n);
      for (let i = 0; i < 5_000; i++) call(i);
      expect(checked.getEvents()).toHaveLength(5_000);
      expect(stderr.lines).toHaveLength(ERROR_LOG_LINES_PER_WINDOW);
      expect(stderr.lines[0]).toMatch(/^intentproof: exporter failed \(event [0-9a-f-]{36}, action orders\.ship\): Error: collector unreachable$/);
      await vi.advanceTimersByTimeAsync(ERROR_LOG_WINDOW_MS);
      expect(stderr.lines).toHaveLength(ERROR_LOG_LINES_PER_WINDOW + 1);
      expect(stderr.lines.at(-1)).toMatch(
        new RegExp(`^intentproof: exporter failures: ${5_000 - ERROR_LOG_LINES_PER_WINDOW} more failure\\(s\\) not shown in the last 10 s \\(latest: exporter failed .*collector unreachable\\)$`),
      );
      // A new window prints again.
      call(1);
      expect(stderr.lines).toHaveLength(ERROR_LOG_LINES_PER_WINDOW + 2);
    } finally {
      stderr.restore();
      vi.useRealTimers();
    }
  });

  it("a queue in front of an HttpExporter, collector refusing: thousands of failures, a handful of lines", { timeout: 30_000 }, async () => {
    const collector = await startCollector({ mode: "refuse" });
    const stderr = captureStderr();
    try {
      const queue = new BoundedQueueExporter({
        exporter: new HttpExporter({ url: collector.url, timeoutMs: 2_000 }),
        maxConcurrent: 8,
        maxQueue: 500,
      });
      const checked = new CheckedExporter();
      const client = new IntentProofClient({ exporters: [queue, checked] });
      const call = client.wrap({ intent: "Ship an order", action: "orders.ship" }, (n: number) => n);
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < 500; i++) call(i);
        await client.flush();
      }
      const stats = queue.stats;
      expect(stats.exported).toBe(0);
      expect(stats.failed + stats.dropped).toBe(1_000);
      expect(stats.failed).toBeGreaterThan(500);
      // The HttpExporter's channel: 5 lines, the summary comes at the end of the window.
      const httpLines = stderr.lines.filter((line) => line.startsWith("intentproof: HttpExporter"));
      expect(httpLines.length).toBeLessThanOrEqual(ERROR_LOG_LINES_PER_WINDOW + 1);
      expect(stderr.lines.length).toBeLessThanOrEqual(2 * (ERROR_LOG_LINES_PER_WINDOW + 1) + 3);
    } finally {
      stderr.restore();
      await collector.close();
    }
  });
});

describe("client.shutdown() with a collector that accepts connections and never answers", () => {
  it("returns within shutdownTimeoutMs (default 5 s) with default exporter options, every undelivered event reported once, with a reason", { timeout: 30_000 }, async () => {
    const collector = await startCollector({ mode: "hang" });
    try {
      const dropped = new Map<string, string>();
      const httpErrors = new Map<string, string>();
      // Default options everywhere: maxQueue 1000, maxConcurrent 4, timeoutMs 10 s.
      // Draining that queue one timeout at a time used to take about 42 minutes.
      const queue = new BoundedQueueExporter({
        exporter: new HttpExporter({
          url: collector.url,
          onError: (error, event) => httpErrors.set(event.id, String((error as { code?: string }).code)),
        }),
        onDrop: (event, reason) => dropped.set(event.id, reason),
      });
      const checked = new CheckedExporter();
      const clientErrors: unknown[] = [];
      const client = new IntentProofClient({ exporters: [queue, checked], onExporterError: (error) => clientErrors.push(error) });
      const call = client.wrap({ intent: "Ship an order", action: "orders.ship" }, (n: number) => n);
      for (let i = 0; i < 1_004; i++) call(i);
      await collector.waitForRequests(4);
      const start = performance.now();
      await client.shutdown();
      const took = performance.now() - start;
      expect(took).toBeLessThan(5_000 + 1_500);
      expect(took).toBeGreaterThan(4_500);
      // The 4 requests in flight are the HttpExporter's to report (aborted at the deadline); the 1,000 queued, the queue's.
      expect(queue.stats).toMatchObject({ exported: 0, failed: 4, dropped: 1_000, queued: 0, inFlight: 0 });
      expect([...httpErrors.values()]).toEqual(["ERR_DEADLINE", "ERR_DEADLINE", "ERR_DEADLINE", "ERR_DEADLINE"]);
      const ids = checked.getEvents().map((event) => event.id);
      expect(ids.filter((id) => dropped.has(id) === httpErrors.has(id))).toEqual([]);
      expect(new Set(dropped.values())).toEqual(new Set(["deadline"]));
      // Every event is accounted for by the queue and the HttpExporter: no "shutdown timed out" on top.
      expect(clientErrors).toEqual([]);
    } finally {
      await collector.close();
    }
  });
});
