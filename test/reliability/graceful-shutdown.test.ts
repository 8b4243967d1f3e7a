/**
 * SIGTERM in the middle of steady traffic: a Nest app (`enableShutdownHooks`)
 * and an Express app (the documented `closeGracefully` recipe), each a child
 * process on the built package, must deliver every event of every request
 * that completed before they exit, and exit with code 0.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCollector, type Collector } from "../support/collector.js";
import { expectValidEvent } from "../support/event-validator.js";
import { recordFigures, REPO_ROOT } from "./support/figures.js";
import { percentile, round } from "./support/load.js";

const FIXTURES = {
  nest: {
    file: join(REPO_ROOT, "test", "reliability", "fixtures", "shutdown-app.mjs"),
    setup: "Nest 12 child process (built package), enableShutdownHooks",
  },
  express: {
    file: join(REPO_ROOT, "test", "reliability", "fixtures", "express-shutdown-app.mjs"),
    setup: "Express 5 child process (built package), closeGracefully on SIGTERM",
  },
} as const;
const CONCURRENCY = 12;
const LOAD_BEFORE_SIGTERM_MS = 1_500;
const EVENTS_PER_REQUEST = 2;
const SHUTDOWN_DEADLINE_MS = 20_000;

function startApp(fixture: string, collectorUrl: string): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  const child = spawn(process.execPath, [fixture], {
    cwd: REPO_ROOT,
    env: { ...process.env, COLLECTOR_URL: collectorUrl, NODE_OPTIONS: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`app did not start:\n${output}`)), 20_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`app exited early with ${code}:\n${output}`));
    });
    child.stdout!.on("data", () => {
      const match = /listening (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.removeAllListeners("exit");
        resolve({ child, port: Number(match[1]), output: () => output });
      }
    });
  });
}

describe.each(Object.entries(FIXTURES))("graceful shutdown under load: %s", (name, fixture) => {
  let collector: Collector;
  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, "dist", "nestjs.js")) || !existsSync(join(REPO_ROOT, "dist", "express.js"))) {
      throw new Error("dist/ is missing: run `npm run build` (npm test does it in pretest)");
    }
    collector = await startCollector();
  });
  afterAll(async () => {
    await collector?.close();
  });

  it("delivers every event of every completed request, then exits 0", { timeout: 60_000 }, async () => {
    const { child, port, output } = await startApp(fixture.file, collector.url);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once("exit", (code, signal) => resolve({ code, signal })),
    );

    const completed: string[] = [];
    const latencies: number[] = [];
    let refused = 0;
    let sigtermSentAt = 0;
    let sequence = 0;
    let stop = false;
    const worker = async (w: number): Promise<void> => {
      while (!stop) {
        const correlationId = `shutdown-${w}-${sequence++}`;
        const started = performance.now();
        try {
          const response = await fetch(`http://127.0.0.1:${port}/orders`, {
            method: "POST",
            headers: { "content-type": "application/json", "x-intentproof-correlation-id": correlationId },
            body: JSON.stringify({ sku: "sku-1", quantity: 1 }),
          });
          const body = (await response.json()) as { correlationId?: string };
          if (response.status >= 200 && response.status < 300) {
            expect(body.correlationId).toBe(correlationId);
            completed.push(correlationId);
            latencies.push(performance.now() - started);
          }
        } catch {
          // After SIGTERM the server stops taking connections: expected, not a completed request.
          refused++;
          if (sigtermSentAt === 0) throw new Error(`request failed before SIGTERM:\n${output()}`);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
    };
    const workers = Array.from({ length: CONCURRENCY }, (_, w) => worker(w));

    await new Promise((resolve) => setTimeout(resolve, LOAD_BEFORE_SIGTERM_MS));
    const completedAtSigterm = completed.length;
    sigtermSentAt = Date.now();
    child.kill("SIGTERM");
    // A shutdown that never ends (e.g. keep-alive connections holding the
    // server open) fails the test instead of hanging it.
    const killer = setTimeout(() => child.kill("SIGKILL"), SHUTDOWN_DEADLINE_MS);
    const exit = await exited;
    clearTimeout(killer);
    const shutdownMs = Date.now() - sigtermSentAt;
    stop = true;
    await Promise.all(workers);

    expect(exit, output()).toEqual({ code: 0, signal: null });
    expect(completedAtSigterm).toBeGreaterThan(0);

    const byCorrelation = new Map<string, string[]>();
    for (const event of collector.events()) {
      expectValidEvent(event);
      byCorrelation.set(event.correlationId!, [...(byCorrelation.get(event.correlationId!) ?? []), event.action]);
    }
    const missing = completed.filter((id) => (byCorrelation.get(id)?.length ?? 0) < EVENTS_PER_REQUEST);
    expect(missing, "completed requests whose events never reached the collector").toEqual([]);
    for (const id of completed) expect(byCorrelation.get(id)!.sort()).toEqual(["inventory.reserve", "orders.create"]);

    recordFigures(name === "nest" ? "gracefulShutdown" : `gracefulShutdown.${name}`, {
      setup: `${fixture.setup}, ${CONCURRENCY} concurrent clients, SIGTERM after ${LOAD_BEFORE_SIGTERM_MS} ms, BoundedQueueExporter -> HttpExporter(awaitEach)`,
      completedRequests: completed.length,
      completedAfterSigterm: completed.length - completedAtSigterm,
      refusedAfterSigterm: refused,
      eventsAtCollector: collector.events().length,
      eventsMissingForCompletedRequests: missing.length,
      exitCode: exit.code,
      sigtermToExitMs: shutdownMs,
      p99RequestMs: round(percentile(latencies, 99), 2),
    });
  });
});
