/**
 * The default error output holds failures back after a few lines and sums
 * them up when its 10 s window ends. That summary must not be lost when the
 * application stops first: `client.shutdown()` prints it, and so does the
 * process's exit, which it never delays.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { rolldown } from "rolldown";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { IntentProofClient } from "../../src/core/client.js";
import { ERROR_LOG_LINES_PER_WINDOW } from "../../src/core/exporter-error-log.js";
import type { Exporter } from "../../src/core/types.js";
import { BoundedQueueExporter } from "../../src/exporters/bounded-queue.js";
import { HttpExporter } from "../../src/exporters/http.js";
import { startCollector, type Collector } from "../support/collector.js";

const FAILURES = 20;
const HELD_BACK = FAILURES - ERROR_LOG_LINES_PER_WINDOW;

let refusing: Collector;
beforeAll(async () => {
  refusing = await startCollector({ mode: "refuse" });
});
afterAll(async () => {
  await refusing.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Every line written to stderr, directly or through console.error. */
function captureStderr(): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk).trimEnd());
    return true;
  });
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(" "));
  });
  return lines;
}

describe("client.shutdown() prints the summary still held back", () => {
  it("of an HttpExporter behind a queue, collector refusing", async () => {
    const lines = captureStderr();
    const queue = new BoundedQueueExporter({ exporter: new HttpExporter({ url: refusing.url }) });
    const client = new IntentProofClient({ exporters: [queue] });
    const call = client.wrap({ intent: "Ship an order", action: "orders.ship" }, () => 1);
    for (let i = 0; i < FAILURES; i++) call();

    await client.shutdown();

    expect(queue.stats).toMatchObject({ failed: FAILURES });
    expect(lines.filter((line) => line.startsWith("intentproof: HttpExporter: ECONNREFUSED"))).toHaveLength(ERROR_LOG_LINES_PER_WINDOW);
    expect(lines.at(-1)).toMatch(
      new RegExp(`^intentproof: HttpExporter: ${HELD_BACK} more failure\\(s\\) not shown in the last 10 s \\(latest: .*ECONNREFUSED`),
    );
  });

  it("of the client's own onExporterError", async () => {
    const lines = captureStderr();
    const broken: Exporter = {
      export() {
        throw new Error("collector unreachable");
      },
    };
    const client = new IntentProofClient({ exporters: [broken] });
    const call = client.wrap({ intent: "Ship an order", action: "orders.ship" }, () => 1);
    for (let i = 0; i < FAILURES; i++) call();
    expect(lines).toHaveLength(ERROR_LOG_LINES_PER_WINDOW);

    await client.shutdown();

    expect(lines).toHaveLength(ERROR_LOG_LINES_PER_WINDOW + 1);
    expect(lines.at(-1)).toMatch(new RegExp(`^intentproof: exporter failures: ${HELD_BACK} more failure\\(s\\) not shown`));
  });
});

describe("the process's exit prints the summary still held back, without waiting for it", () => {
  let bundleDir: string;
  let httpModule: string;
  const child = fileURLToPath(new URL("./held-summary-at-exit.child.mjs", import.meta.url));

  beforeAll(async () => {
    bundleDir = await mkdtemp(join(tmpdir(), "intentproof-exit-summary-"));
    httpModule = join(bundleDir, "http.mjs");
    // The child runs this source, not dist/: bundled on the spot.
    const bundle = await rolldown({
      input: fileURLToPath(new URL("../../src/exporters/http.ts", import.meta.url)),
      platform: "node",
      external: [/^node:/],
      resolve: { extensionAlias: { ".js": [".ts", ".js"] } },
      logLevel: "silent",
    });
    await bundle.write({ file: httpModule, format: "esm" });
    await bundle.close();
  });
  afterAll(async () => {
    await rm(bundleDir, { recursive: true, force: true });
  });

  function runChild(ending: "natural" | "process.exit"): Promise<{ code: number | null; stderr: string; tookMs: number }> {
    const started = performance.now();
    const process_ = spawn(process.execPath, [child, httpModule, refusing.url, ending], {
      env: { ...process.env, NODE_OPTIONS: "" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    process_.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve, reject) => {
      process_.once("error", reject);
      process_.once("close", (code) => resolve({ code, stderr, tookMs: performance.now() - started }));
    });
  }

  for (const ending of ["natural", "process.exit"] as const) {
    it(`exit: ${ending}`, async () => {
      const { code, stderr, tookMs } = await runChild(ending);
      expect(code, stderr).toBe(0);
      const lines = stderr.trimEnd().split("\n");
      expect(lines).toHaveLength(ERROR_LOG_LINES_PER_WINDOW + 1);
      expect(lines.at(-1)).toMatch(
        new RegExp(`^intentproof: HttpExporter: ${HELD_BACK} more failure\\(s\\) not shown in the last 10 s \\(latest: .*\\(event event-\\d+\\)\\)$`),
      );
      // The 10 s window did not hold the process open.
      expect(tookMs).toBeLessThan(8_000);
    });
  }
});
