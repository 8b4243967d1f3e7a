// Issue 9 items 7 and 9 (client side): flush()/shutdown() are bounded by shutdownTimeoutMs;
// what is still undelivered is reported as dropped with a reason; timer options are capped.
import { afterEach, describe, expect, it } from "vitest";
import {
  ExporterTimeoutError,
  HttpExporter,
  createIntentProofClient,
  type ExecutionEvent,
  type Exporter,
  type ExporterDrainOptions,
} from "../../src/index.js";
import { startCollector, type Collector } from "../support/collector.js";
import { CheckedExporter } from "../support/event-validator.js";

const labels = { intent: "Ship the record", action: "record.ship" };
const never = () => new Promise<void>(() => undefined);

interface Failure {
  error: unknown;
  event: ExecutionEvent | undefined;
}

let collector: Collector | undefined;
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

describe("flush() and shutdown() are bounded", () => {
  it("shutdown() returns at shutdownTimeoutMs with a collector that accepts and never answers, reporting each undelivered event as dropped", async () => {
    collector = await startCollector({ mode: "hang" });
    const failures: Failure[] = [];
    const http = new HttpExporter({ url: collector.url, awaitEach: true, timeoutMs: 600_000, onError: () => {} });
    const client = createIntentProofClient({
      exporters: [http, new CheckedExporter()],
      exporterTimeoutMs: 600_000,
      shutdownTimeoutMs: 300,
      onExporterError: (error, event) => failures.push({ error, event }),
    });
    const call = client.wrap(labels, (n: number) => n);
    for (let i = 0; i < 3; i++) call(i);
    await collector.waitForRequests(3);

    const started = performance.now();
    await client.shutdown();
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(3_000);

    const dropped = failures.filter((f) => f.event !== undefined);
    expect(dropped).toHaveLength(3);
    for (const failure of dropped) {
      expect(failure.error).toBeInstanceOf(ExporterTimeoutError);
      expect((failure.error as ExporterTimeoutError).code).toBe("SHUTDOWN_TIMEOUT");
      expect((failure.error as Error).message).toMatch(/dropped/);
    }
    expect(new Set(dropped.map((f) => f.event!.id)).size).toBe(3);
  });

  it("stops waiting for an exporter's own flush at the deadline, reports it, and aborts the signal it was given", async () => {
    const failures: Failure[] = [];
    let received: ExporterDrainOptions | undefined;
    const stuck: Exporter = {
      export() {},
      flush(options) {
        received = options;
        return never();
      },
    };
    const client = createIntentProofClient({
      exporters: [stuck],
      shutdownTimeoutMs: 150,
      onExporterError: (error, event) => failures.push({ error, event }),
    });
    const before = Date.now();
    await client.flush();
    expect(received?.signal.aborted).toBe(true);
    expect(received!.deadline).toBeGreaterThanOrEqual(before + 150);
    expect(received!.deadline).toBeLessThanOrEqual(Date.now());
    expect(failures).toHaveLength(1);
    expect(failures[0]!.event).toBeUndefined();
    expect(failures[0]!.error).toMatchObject({ name: "ExporterTimeoutError", code: "SHUTDOWN_TIMEOUT" });
  });

  it("an exporter that finishes in time is not reported, and its signal stays unaborted", async () => {
    const failures: Failure[] = [];
    let signal: AbortSignal | undefined;
    const client = createIntentProofClient({
      exporters: [{ export() {}, shutdown: async (options) => void (signal = options?.signal) }],
      shutdownTimeoutMs: 5_000,
      onExporterError: (error, event) => failures.push({ error, event }),
    });
    await client.shutdown();
    expect(failures).toEqual([]);
    expect(signal?.aborted).toBe(false);
  });

  it("defaults shutdownTimeoutMs well under a 30 s orchestrator grace period", async () => {
    const client = createIntentProofClient({ exporters: [new CheckedExporter()] });
    expect(client.config.shutdownTimeoutMs).toBeLessThanOrEqual(10_000);
  });
});

describe("timer options are capped at 2^31-1 ms", () => {
  it.each([
    [{ exporterTimeoutMs: 2 ** 31 }, /"exporterTimeoutMs" must be a number of milliseconds .* 2147483647/],
    [{ shutdownTimeoutMs: 2 ** 31 }, /"shutdownTimeoutMs" must be a number of milliseconds/],
    [{ shutdownTimeoutMs: 0 }, /"shutdownTimeoutMs"/],
    [{ shutdownTimeoutMs: Number.NaN }, /"shutdownTimeoutMs"/],
    [{ defaultWrapOptions: { exporterTimeoutMs: 2 ** 31 } }, /"exporterTimeoutMs"/],
  ])("the client rejects %j", (config, message) => {
    expect(() => createIntentProofClient(config as never)).toThrow(TypeError);
    expect(() => createIntentProofClient(config as never)).toThrow(message);
  });

  it("wrap rejects an exporterTimeoutMs above 2^31-1 and accepts the maximum and 0", () => {
    const client = createIntentProofClient({ exporters: [new CheckedExporter()] });
    expect(() => client.wrap({ ...labels, exporterTimeoutMs: 2 ** 31 }, () => 1)).toThrow(/"exporterTimeoutMs"/);
    expect(() => client.wrap({ ...labels, exporterTimeoutMs: 2 ** 31 - 1 }, () => 1)).not.toThrow();
    expect(() => client.wrap({ ...labels, exporterTimeoutMs: 0 }, () => 1)).not.toThrow();
  });
});
