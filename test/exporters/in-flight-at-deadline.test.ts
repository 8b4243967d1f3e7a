/**
 * An event the queue has handed to its inner exporter when a shutdown
 * deadline passes is reported exactly once: by an inner HttpExporter
 * (`onError`, `ERR_DEADLINE`), else by the queue (`onDrop`, `"deadline"`).
 * delivered + dropped + failed = emitted, and `stats` agree with the callbacks.
 */
import { afterEach, describe, expect, it } from "vitest";
import { IntentProofClient } from "../../src/core/client.js";
import type { ExecutionEvent, Exporter } from "../../src/core/types.js";
import { BoundedQueueExporter } from "../../src/exporters/bounded-queue.js";
import { HttpExporter } from "../../src/exporters/http.js";
import { startCollector, type Collector } from "../support/collector.js";
import { makeEvents } from "./fixtures.js";

const collectors: Collector[] = [];
afterEach(async () => {
  while (collectors.length > 0) await collectors.pop()!.close();
});

async function hangingCollector(): Promise<Collector> {
  const collector = await startCollector({ mode: "hang" });
  collectors.push(collector);
  return collector;
}

/** Every report about an event, from any component, in the order made. */
type Report = { id: string; by: "onDrop" | "onError" | "onInnerError"; why: string };

function codeOf(error: unknown): string {
  return String((error as { code?: unknown }).code);
}

/** A queue of 2 slots in front of an HttpExporter whose requests would wait a minute. */
function queueToHttp(url: string, reports: Report[]) {
  const http = new HttpExporter({
    url,
    timeoutMs: 60_000,
    onError: (error, event) => reports.push({ id: event.id, by: "onError", why: codeOf(error) }),
  });
  return new BoundedQueueExporter({
    exporter: http,
    maxConcurrent: 2,
    onDrop: (event, reason) => reports.push({ id: event.id, by: "onDrop", why: reason }),
    onInnerError: (error, event) => reports.push({ id: String(event?.id), by: "onInnerError", why: codeOf(error) }),
  });
}

function reportsPerId(reports: Report[]): Map<string, Report[]> {
  const byId = new Map<string, Report[]>();
  for (const report of reports) byId.set(report.id, [...(byId.get(report.id) ?? []), report]);
  return byId;
}

function idsSentTo(collector: Collector): string[] {
  return collector.received.map((request) => (request.body as { event: ExecutionEvent }).event.id);
}

describe("an event in flight at the shutdown deadline", () => {
  it("behind an HttpExporter, is reported once, by the HttpExporter (client.shutdown)", async () => {
    const collector = await hangingCollector();
    const reports: Report[] = [];
    const queue = queueToHttp(collector.url, reports);
    const clientReportsAboutEvents: unknown[] = [];
    const client = new IntentProofClient({
      exporters: [queue],
      shutdownTimeoutMs: 300,
      onExporterError: (error, event) => event !== undefined && clientReportsAboutEvents.push(error),
    });
    const call = client.wrap({ intent: "Ship an order", action: "orders.ship" }, (n: number) => n);
    for (let i = 0; i < 5; i++) call(i);
    await collector.waitForRequests(2);

    await client.shutdown();

    const byId = reportsPerId(reports);
    expect(byId.size).toBe(5);
    for (const [id, once] of byId) expect(once, `reports about ${id}`).toHaveLength(1);
    const inFlight = idsSentTo(collector);
    expect(inFlight).toHaveLength(2);
    for (const id of inFlight) expect(byId.get(id)).toEqual([{ id, by: "onError", why: "ERR_DEADLINE" }]);
    const stillQueued = [...byId.values()].flat().filter((report) => !inFlight.includes(report.id));
    expect(stillQueued.map((report) => [report.by, report.why])).toEqual(Array(3).fill(["onDrop", "deadline"]));
    expect(queue.stats).toEqual({ exported: 0, failed: 2, dropped: 3, queued: 0, inFlight: 0 });
    expect(clientReportsAboutEvents).toEqual([]);
  });

  it("behind an HttpExporter, is reported once when a later shutdown() call brings a tighter deadline", async () => {
    const collector = await hangingCollector();
    const reports: Report[] = [];
    const queue = queueToHttp(collector.url, reports);
    for (const event of makeEvents(5)) queue.export(event);
    await collector.waitForRequests(2);

    const first = queue.shutdown(); // bounded by shutdownTimeoutMs, 10 s
    const start = performance.now();
    await queue.shutdown({ timeoutMs: 50 });
    await first;

    expect(performance.now() - start).toBeLessThan(2_000);
    const byId = reportsPerId(reports);
    expect(byId.size).toBe(5);
    for (const [id, once] of byId) expect(once, `reports about ${id}`).toHaveLength(1);
    for (const id of idsSentTo(collector)) expect(byId.get(id)).toEqual([{ id, by: "onError", why: "ERR_DEADLINE" }]);
    expect(queue.stats).toEqual({ exported: 0, failed: 2, dropped: 3, queued: 0, inFlight: 0 });
  });

  it("in a custom exporter that never settles, is dropped by the queue, and its late outcome is ignored", async () => {
    const reports: Report[] = [];
    const late: Array<{ promise: Promise<void>; reject: (error: Error) => void }> = [];
    const neverSettles: Exporter = {
      export() {
        let reject!: (error: Error) => void;
        const promise = new Promise<void>((_, rejectExport) => (reject = rejectExport));
        late.push({ promise, reject });
        return promise;
      },
      // Ignores the deadline it is handed.
      shutdown: () => new Promise<void>(() => undefined),
    };
    const queue = new BoundedQueueExporter({
      exporter: neverSettles,
      maxConcurrent: 2,
      onDrop: (event, reason) => reports.push({ id: event.id, by: "onDrop", why: reason }),
      onInnerError: (error, event) => reports.push({ id: String(event?.id), by: "onInnerError", why: codeOf(error) }),
    });
    const events = makeEvents(5);
    for (const event of events) queue.export(event);

    await queue.shutdown({ timeoutMs: 50 });

    // The queued ones first, then the two in flight.
    expect(reports).toEqual([...events.slice(2), ...events.slice(0, 2)].map((event) => ({ id: event.id, by: "onDrop", why: "deadline" })));
    expect(queue.stats).toEqual({ exported: 0, failed: 0, dropped: 5, queued: 0, inFlight: 0 });
    expect(late).toHaveLength(2);
    for (const { promise, reject } of late) {
      reject(new Error("too late"));
      // The queue's handler was attached first, so it has run once this settles.
      await promise.catch(() => undefined);
    }
    expect(reports).toHaveLength(5);
    expect(queue.stats).toEqual({ exported: 0, failed: 0, dropped: 5, queued: 0, inFlight: 0 });
  });
});
