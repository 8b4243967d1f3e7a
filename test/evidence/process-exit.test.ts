/**
 * Telemetry never keeps a process alive. Real child processes on the built
 * package (INTENTPROOF_TEST_ENTRY points them at another build): a script
 * that creates an EvidenceExporter and records nothing exits by itself; one
 * that records events and ends without shutdown() exits too, with every
 * event in the log (the pipeline holds the process only while it has work);
 * one whose disk keeps failing exits once the write grace has passed.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "./support/child-writer.js";
import { readAll, tempDir } from "./support/evidence-fixture.js";

const ENTRY = process.env.INTENTPROOF_TEST_ENTRY ?? join(REPO_ROOT, "dist", "index.js");
/** A child still running after this is hung: it is killed and the test fails. */
const KILL_AFTER_MS = 20_000;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From spawn to exit. */
  ms: number;
  output: string;
}

/** Runs `source` (an ES module; `ip` is the package) in a child process until it exits by itself, or kills it. */
function runChild(source: string, env: Record<string, string>): Promise<Run> {
  // A script file, as a job runs: under `node -e` the same program exited even while the signer's port held the process.
  const script = join(tempDir(), "job.mjs");
  writeFileSync(script, `const ip = await import(${JSON.stringify(pathToFileURL(ENTRY).href)});\n${source}`);
  const started = performance.now();
  const child = spawn(process.execPath, [script], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_OPTIONS: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const killer = setTimeout(() => child.kill("SIGKILL"), KILL_AFTER_MS);
  return new Promise((resolve) =>
    child.once("exit", (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, ms: Math.round(performance.now() - started), output });
    }),
  );
}

function segmentsOf(directory: string): string[] {
  return readdirSync(directory, { recursive: true, encoding: "utf8" }).filter((n) => /events-\d{6}\.jsonl$/.test(n));
}

describe("an EvidenceExporter and process exit", () => {
  beforeAll(() => {
    if (!existsSync(ENTRY)) throw new Error(`the child runs the built package (${ENTRY}): run \`npm run build\` first`);
  });

  it("lets a process that records nothing exit by itself", async () => {
    const directory = tempDir();
    const run = await runChild(
      `const client = ip.createIntentProofClient({ exporters: [new ip.EvidenceExporter({ directory: process.env.DIR, tenantId: "acme" })] });
       client.wrap({ intent: "r", action: "payments.refund.execute" }, async () => 1); // nothing to refund today
       console.log("job done");`,
      { DIR: directory },
    );
    expect(run).toMatchObject({ code: 0, signal: null });
    expect(run.output).toBe("job done\n");
    expect(segmentsOf(directory)).toHaveLength(1); // it did start: the instance and its signer were opened
    expect(run.ms).toBeLessThan(10_000); // about 0.5 s here; a hung child is killed at KILL_AFTER_MS
  }, 30_000);

  it("lets a process that records events exit without shutdown(), every event in the log", async () => {
    const directory = tempDir();
    const run = await runChild(
      `const client = ip.createIntentProofClient({ exporters: [new ip.EvidenceExporter({ directory: process.env.DIR, tenantId: "acme" })] });
       const refund = client.wrap({ intent: "r", action: "payments.refund.execute" }, async (i) => ({ i, pad: "x".repeat(200) }));
       for (let i = 0; i < 300; i++) await client.withCorrelation("c-" + (i % 7), () => refund(i));
       // And a burst recorded on the way out, in the script's last turn.
       const last = client.wrap({ intent: "r", action: "payments.refund.log" }, (i) => i);
       for (let i = 0; i < 700; i++) client.withCorrelation("d-" + (i % 5), () => last(i));
       console.log("job done");`,
      { DIR: directory },
    );
    expect(run).toMatchObject({ code: 0, signal: null });
    expect(run.output).toBe("job done\n");
    expect(run.ms).toBeLessThan(10_000);
    const { events } = await readAll(directory);
    expect(events.length).toBe(1000);
    expect(new Set(events.map((e) => e.event_id)).size).toBe(1000);
    for (let c = 0; c < 5; c++) {
      expect(events.filter((e) => e.correlation_id === `d-${c}`).map((e) => e.chain_position)).toEqual(Array.from({ length: 140 }, (_, i) => i + 1));
    }
  }, 30_000);

  it("lets a process whose disk keeps failing exit once the write grace has passed", async () => {
    const directory = tempDir();
    mkdirSync(join(directory, "inst_full"));
    symlinkSync("/dev/full", join(directory, "inst_full", "events-000001.jsonl"));
    const run = await runChild(
      `const client = ip.createIntentProofClient({ exporters: [new ip.EvidenceExporter({ directory: process.env.DIR, tenantId: "acme", instanceId: "inst_full", onError: (e) => { if (!globalThis.told) console.log("error", e.code); globalThis.told = true; } })] });
       const pay = client.wrap({ intent: "p", action: "pay" }, (i) => i);
       for (let i = 0; i < 5; i++) pay(i);
       console.log("job done");`,
      { DIR: directory },
    );
    expect(run).toMatchObject({ code: 0, signal: null });
    expect(run.output).toBe("job done\nerror write_failed\n");
    // Retries keep the process for the 5 s that shutdown() would give them, not for ever.
    expect(run.ms).toBeLessThan(15_000);
  }, 30_000);
});
