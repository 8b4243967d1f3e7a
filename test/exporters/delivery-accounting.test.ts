/**
 * The queue's counters tell the truth (issue 9 item 6), and flush/shutdown
 * are bounded by a deadline that aborts what is in flight and reports every
 * undelivered event once, with a reason (item 7). Real collector on
 * 127.0.0.1.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { ExecutionEvent } from "../../src/core/types.js";
import { BoundedQueueExporter, type BoundedQueueDropReason } from "../../src/exporters/bounded-queue.js";
import { HttpExporter } from "../../src/exporters/http.js";
import { startCollector, type Collector, type CollectorMode } from "../support/collector.js";
import { makeEvents } from "./fixtures.js";

const collectors: Collector[] = [];
afterEach(async () => {
  while (collectors.length > 0) await collectors.pop()!.close();
});

async function collector(mode: CollectorMode = "ok"): Promise<Collector> {
  const started = await startCollector({ mode });
  collectors.push(started);
  return started;
}

/** An HttpExporter behind a queue, with every report of both recorded per event. */
function pipeline(url: string, queueOptions: { maxQueue?: number; maxConcurrent?: number; shutdownTimeoutMs?: number } = {}, timeoutMs = 2_000) {
  const failed = new Map<string, string>();
  const dropped = new Map<string, BoundedQueueDropReason>();
  const innerErrors: unknown[] = [];
  const http = new HttpExporter({
    url,
    timeoutMs,
    onError: (error, event) => failed.set(event.id, (error as { code?: string }).code ?? "unknown"),
  });
  const queue = new BoundedQueueExporter({
    exporter: http,
    maxQueue: 1000,
    maxConcurrent: 4,
    ...queueOptions,
    onDrop: (event, reason) => dropped.set(event.id, reason),
    onInnerError: (error) => innerErrors.push(error),
  });
  return { http, queue, failed, dropped, innerErrors };
}

function elapsedMs(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

describe("BoundedQueueExporter.stats counts each fate by its own counter", () => {
  it("a delivery the HttpExporter reports as failed (500) counts as failed, not exported", async () => {
    const c = await collector("fail500");
    const { queue, failed } = pipeline(c.url);
    for (const event of makeEvents(12)) queue.export(event);
    await queue.flush();
    expect(failed.size).toBe(12);
    expect(queue.stats).toMatchObject({ exported: 0, failed: 12, dropped: 0, queued: 0, inFlight: 0 });
  });

  it("a request timeout counts as failed", async () => {
    const c = await collector("hang");
    const { queue, failed } = pipeline(c.url, {}, 100);
    for (const event of makeEvents(3)) queue.export(event);
    await queue.flush();
    expect([...failed.values()]).toEqual(["ETIMEDOUT", "ETIMEDOUT", "ETIMEDOUT"]);
    expect(queue.stats).toMatchObject({ exported: 0, failed: 3 });
  });

  it("under a flapping collector: delivered + failed + dropped = emitted, each matching what really happened", async () => {
    const c = await collector("ok");
    const { queue, failed, dropped, innerErrors } = pipeline(c.url, { maxQueue: 40 }, 150);
    const modes: CollectorMode[] = ["ok", "fail500", "refuse", "ok", "hang", "fail500", "ok"];
    const emitted: ExecutionEvent[] = [];
    for (const mode of modes) {
      await c.setMode(mode);
      const batch = makeEvents(60).map((event) => ({ ...event, id: event.id }));
      for (const event of batch) queue.export(event);
      emitted.push(...batch);
      // 60 events at once into 4 slots and a queue of 40: some are dropped in every round.
      await queue.flush();
    }
    await c.setMode("ok");
    await queue.flush();

    const delivered = new Set(c.events().map((event) => event.id));
    // A request can time out on a busy machine and still be taken by the
    // collector a moment later: the exporter reports it failed (it cannot
    // know). That is the only overlap allowed.
    const timedOutButTaken = [...delivered].filter((id) => failed.has(id));
    for (const id of timedOutButTaken) expect(failed.get(id)).toBe("ETIMEDOUT");
    const stats = queue.stats;
    expect(stats.queued + stats.inFlight).toBe(0);
    expect(stats.exported).toBe(delivered.size - timedOutButTaken.length);
    expect(stats.failed).toBe(failed.size);
    expect(stats.dropped).toBe(dropped.size);
    expect(stats.exported + stats.failed + stats.dropped).toBe(emitted.length);
    expect(new Set([...delivered, ...failed.keys(), ...dropped.keys()]).size).toBe(emitted.length);
    expect(stats.exported).toBeGreaterThan(0);
    expect(stats.failed).toBeGreaterThan(0);
    expect(stats.dropped).toBeGreaterThan(0);
    const codes = new Set(failed.values());
    expect(codes).toContain("ERR_HTTP_STATUS");
    expect(codes).toContain("ETIMEDOUT");
    // Refusing closes the listener and resets the open keep-alive sockets.
    expect([...codes].filter((code) => !["ERR_HTTP_STATUS", "ETIMEDOUT", "ECONNREFUSED", "ECONNRESET"].includes(code))).toEqual([]);
    expect(innerErrors).toEqual([]); // failures went to the HttpExporter's onError, once each
  });
});

describe("flush and shutdown are bounded by a deadline", () => {
  it("HttpExporter.shutdown({ timeoutMs }) aborts requests to a collector that never answers", async () => {
    const c = await collector("hang");
    const failed = new Map<string, string>();
    const http = new HttpExporter({ url: c.url, timeoutMs: 60_000, onError: (error, event) => failed.set(event.id, String((error as { code?: string }).code)) });
    const events = makeEvents(5);
    const sends = events.map((event) => http.send(event));
    await c.waitForRequests(5);
    const start = process.hrtime.bigint();
    await http.shutdown({ timeoutMs: 200 });
    const took = elapsedMs(start);
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(2_000);
    expect(http.inFlight).toBe(0);
    expect([...failed.values()]).toEqual(Array(5).fill("ERR_DEADLINE"));
    for (const outcome of await Promise.all(sends)) expect(outcome).toMatchObject({ code: "ERR_DEADLINE" });
  });

  it("HttpExporter.flush({ signal }) stops waiting when the signal aborts", async () => {
    const c = await collector("hang");
    const failed: string[] = [];
    const http = new HttpExporter({ url: c.url, timeoutMs: 60_000, onError: (error) => failed.push(String((error as { code?: string }).code)) });
    http.export(makeEvents(1)[0]!);
    await c.waitForRequests(1);
    const controller = new AbortController();
    const flushed = http.flush({ signal: controller.signal });
    controller.abort();
    await flushed;
    expect(failed).toEqual(["ERR_DEADLINE"]);
    await http.shutdown();
  });

  it("a queue of 1000 events behind a hanging collector shuts down within the deadline, every event accounted for", async () => {
    const c = await collector("hang");
    // Defaults that used to add up to 1000 / 4 x 10 s, about 42 minutes.
    const { queue, failed, dropped } = pipeline(c.url, {}, 10_000);
    const events = makeEvents(1004);
    for (const event of events) queue.export(event);
    await c.waitForRequests(4);
    const start = process.hrtime.bigint();
    await queue.shutdown({ timeoutMs: 300 });
    const took = elapsedMs(start);
    expect(took).toBeLessThan(3_000);
    // The 4 requests in flight were handed on: the HttpExporter reports them, the queue does not.
    expect(queue.stats).toMatchObject({ exported: 0, failed: 4, dropped: 1000, queued: 0, inFlight: 0 });
    expect(dropped.size).toBe(1000);
    expect(new Set(dropped.values())).toEqual(new Set(["deadline"]));
    expect([...failed.values()]).toEqual(Array(4).fill("ERR_DEADLINE"));
    expect(new Set([...dropped.keys(), ...failed.keys()]).size).toBe(1004);
  });

  it("shutdown() without a deadline is bounded by shutdownTimeoutMs", async () => {
    const c = await collector("hang");
    const { queue, dropped, failed } = pipeline(c.url, { shutdownTimeoutMs: 250 }, 60_000);
    for (const event of makeEvents(20)) queue.export(event);
    await c.waitForRequests(4);
    const start = process.hrtime.bigint();
    await queue.shutdown();
    expect(elapsedMs(start)).toBeLessThan(3_000);
    expect(dropped.size).toBe(16);
    expect([...failed.values()]).toEqual(Array(4).fill("ERR_DEADLINE"));
    expect(queue.stats).toMatchObject({ dropped: 16, failed: 4 });
  });

  it("an AbortSignal given to flush() gives up what is queued and in flight, and the queue keeps working", async () => {
    const c = await collector("hang");
    const { queue, dropped, failed } = pipeline(c.url, {}, 60_000);
    for (const event of makeEvents(10)) queue.export(event);
    await c.waitForRequests(4);
    await queue.flush({ signal: AbortSignal.abort() });
    expect(dropped.size).toBe(6);
    expect([...failed.values()]).toEqual(Array(4).fill("ERR_DEADLINE"));
    await c.setMode("ok");
    const [late] = makeEvents(1);
    queue.export(late!);
    await queue.flush();
    expect(c.events().map((event) => event.id)).toContain(late!.id);
    expect(queue.stats).toMatchObject({ exported: 1, failed: 4, dropped: 6 });
    await queue.shutdown();
  });
});
