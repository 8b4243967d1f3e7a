// Shutdown delivers every buffered event; decorated providers work outside HTTP.
import { Controller, Get, Injectable, Module } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import { firstValueFrom, from, lastValueFrom, type Observable } from "rxjs";
import { afterAll, describe, expect, it } from "vitest";
import { HttpExporter, IntentProofClient, getCorrelationId } from "../../src/index.js";
import { IntentProof, IntentProofModule } from "../../src/nestjs.js";
import { startCollector, type Collector } from "../support/collector.js";
import { CheckedExporter, expectValidEvent, isUuidV4 } from "../support/event-validator.js";
import { ordersAppModule } from "./fixtures/orders-app.js";
import { adapterFor, PLATFORMS, startApp } from "./fixtures/platforms.js";

const HEADER = "x-intentproof-correlation-id";

describe.each(PLATFORMS)("app.close() on %s", (platform) => {
  let collector: Collector | undefined;
  afterAll(() => collector?.close());

  it("delivers every event to a real collector before it resolves", async () => {
    // A slow collector: events are still in flight when close() starts.
    collector = await startCollector({ delayMs: 80 });
    const checked = new CheckedExporter();
    const http = new HttpExporter({ url: collector.url });
    const running = await startApp(platform, ordersAppModule(checked, { exporters: [checked, http] }));
    const ids = Array.from({ length: 10 }, (_, i) => `close-${platform}-${i}`);
    const responses = await Promise.all(
      ids.map((id, i) =>
        fetch(`${running.url}/orders`, {
          method: "POST",
          headers: { "content-type": "application/json", [HEADER]: id },
          body: JSON.stringify({ customer: "c", amountCents: i + 1 }),
        }),
      ),
    );
    for (const response of responses) expect(response.status).toBe(201);
    expect(collector.received.length).toBeLessThan(30); // still on their way

    await running.close();

    const delivered = collector.events();
    expect(delivered).toHaveLength(30);
    delivered.forEach(expectValidEvent);
    for (const id of ids) {
      expect(delivered.filter((event) => event.correlationId === id).map((e) => e.action).sort()).toEqual([
        "ledger.record",
        "orders.create",
        "payments.charge",
      ]);
    }
    expect(new Set(delivered.map((e) => e.id))).toEqual(new Set(checked.getEvents().map((e) => e.id)));
  });
});

describe.each(PLATFORMS)("app.close() with forceCloseConnections on %s", (platform) => {
  it("records a handler still running on a connection the shutdown cut, before the module's client shuts down", async () => {
    const checked = new CheckedExporter();
    let handlerStarted!: () => void;
    const started = new Promise<void>((resolve) => (handlerStarted = resolve));
    let releaseHandler!: () => void;
    const released = new Promise<void>((resolve) => (releaseHandler = resolve));

    @Controller("slow")
    class SlowController {
      @Get()
      @IntentProof({ intent: "Export a report", action: "reports.export" })
      async export(): Promise<{ rows: number }> {
        handlerStarted();
        await released;
        return { rows: 1 };
      }
    }
    @Module({ imports: [IntentProofModule.forRoot({ exporters: [checked] })], controllers: [SlowController] })
    class SlowAppModule {}

    const app = await NestFactory.create(SlowAppModule, adapterFor(platform), { logger: false, abortOnError: false, forceCloseConnections: true });
    await app.listen(0, "127.0.0.1");
    const url = (await app.getUrl()).replace("[::1]", "127.0.0.1").replace("localhost", "127.0.0.1");
    const clientSaw = fetch(`${url}/slow`, { headers: { [HEADER]: `cut-${platform}` } }).then(
      (response) => `HTTP ${response.status}`,
      (error: Error) => error.name,
    );
    await started;
    await app.close();
    try {
      expect(await clientSaw).toBe("TypeError"); // fetch failed: the server closed the connection
      const events = checked.getEvents().filter((event) => event.correlationId === `cut-${platform}`);
      expect(events).toHaveLength(1);
      expectValidEvent(events[0]!);
      expect(events[0]).toMatchObject({ action: "reports.export", status: "error", error: { name: "IncompleteResponseError" } });
      expect(events[0]!.attributes?.["http.client_aborted"]).toBeUndefined();
    } finally {
      releaseHandler();
    }
    // The handler settling afterwards adds nothing.
    await new Promise((resolve) => setImmediate(resolve));
    expect(checked.getEvents().filter((event) => event.correlationId === `cut-${platform}`)).toHaveLength(1);
  });
});

describe("decorated providers outside HTTP (a standalone application context)", () => {
  const exporter = new CheckedExporter();

  @Injectable()
  class NightlyJob {
    runs = 0;

    @IntentProof({ intent: "Reconcile the ledger", action: "jobs.reconcile" })
    async reconcile(batch: number): Promise<{ batch: number; correlationId: string | undefined }> {
      this.runs++;
      await new Promise((resolve) => setTimeout(resolve, 1));
      return { batch, correlationId: getCorrelationId() };
    }

    @IntentProof({ intent: "Stream the queue", action: "jobs.drain" })
    drain(items: number[]): Observable<number> {
      return from(items);
    }
  }

  @Module({ imports: [IntentProofModule.forRoot({ exporters: [exporter] })], providers: [NightlyJob] })
  class WorkerModule {}

  it("records with a generated id, or the active one, and flushes on close", async () => {
    const context = await NestFactory.createApplicationContext(WorkerModule, { logger: false, abortOnError: false });
    const job = context.get(NightlyJob);

    const result = await job.reconcile(1);
    expect(isUuidV4(result.correlationId)).toBe(true);
    const [first] = exporter.getEvents();
    expect(first).toMatchObject({ action: "jobs.reconcile", status: "ok", inputs: { 0: 1 }, correlationId: result.correlationId });
    expect(first!.attributes).toBeUndefined();

    const client = context.get(IntentProofClient);
    await client.withCorrelation("queue-message-7", () => job.reconcile(2));
    expect(exporter.getEvents()[1]!.correlationId).toBe("queue-message-7");

    // A plain `new` of the class, outside DI, records through the module's client too.
    const detached = new NightlyJob();
    await detached.reconcile(3);
    expect(detached.runs).toBe(1);
    expect(exporter.getEvents()[2]).toMatchObject({ action: "jobs.reconcile", inputs: { 0: 3 } });

    expect(await lastValueFrom(job.drain([4, 5, 6]))).toBe(6);
    expect(exporter.getEvents()[3]).toMatchObject({ action: "jobs.drain", output: 6, status: "ok" });
    expect(await firstValueFrom(job.drain([7, 8]))).toBe(7);
    expect(exporter.getEvents()[4]).toMatchObject({ action: "jobs.drain", output: 7, status: "ok" });

    await context.close();
    expect(exporter.getEvents()).toHaveLength(5);
  });
});
