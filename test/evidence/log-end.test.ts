/**
 * The end of a log: only a `shutdown` checkpoint attests that nothing
 * followed it. A log emptied, its segments deleted, or cut back exactly to a
 * checkpoint written while the writer ran must not pass silently; a live
 * writer leaves the same shapes, so they are warnings, not failures. Real
 * exporters writing real logs, tampered as files.
 */
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { exportPublicKeys } from "../../src/evidence/public-keys.js";
import { evidenceClient, tempDir } from "./support/evidence-fixture.js";
import { segmentOf, tampered, verify, type BuiltLog } from "./support/tamper.js";

const CHECKPOINT = '"schema":"intentproof.checkpoint.v1"';

async function keysFileOf(directory: string): Promise<string> {
  const keysFile = join(tempDir(), "keys.json");
  writeFileSync(keysFile, JSON.stringify(await exportPublicKeys(directory)));
  return keysFile;
}

/** 12 calls, a `count` checkpoint every 5 events, a `shutdown` checkpoint at the end; instances named by `instanceIds`. */
async function shutDownLog(instanceIds: string[] = ["inst_end"]): Promise<BuiltLog> {
  const directory = tempDir();
  for (const instanceId of instanceIds) {
    const { client, errors } = evidenceClient({ directory, instanceId, checkpointEvery: 5, checkpointIntervalMs: 3_600_000 });
    const pay = client.wrap({ intent: "Pay", action: "pay.do" }, (n: number) => ({ n }));
    for (let n = 0; n < 12; n++) await client.withCorrelation(`${instanceId}-${n % 3}`, () => pay(n));
    await client.shutdown();
    expect(errors).toEqual([]);
  }
  return { directory, keysFile: await keysFileOf(directory), checkpoints: [] };
}

async function humanOutput(target: string, keysFile: string): Promise<{ code: number; stdout: string }> {
  let stdout = "";
  const code = await runCli(["verify", target, "--keys", keysFile], { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: () => true } });
  return { code, stdout };
}

describe("the end of a log", () => {
  it("passes a cleanly shut-down log without warnings", async () => {
    const log = await shutDownLog();
    const { code, report } = await verify(log.directory, log.keysFile);
    expect([code, report.status, report.findings, report.warnings]).toEqual([0, "pass", [], []]);
  });

  it("warns (log.empty) when an instance's log was emptied, in --json and in the human output", async () => {
    const log = await shutDownLog();
    writeFileSync(segmentOf(log.directory), "");
    const { code, report } = await verify(log.directory, log.keysFile);
    expect([code, report.status, report.events, report.findings]).toEqual([0, "pass", 0, []]);
    expect(report.warnings).toEqual([{ reason: "log.empty", detail: expect.stringMatching(/inst_end: the log holds no records/) }]);
    const human = await humanOutput(log.directory, log.keysFile);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^✓ pass: .*\(0 events, 0 chains, 0 checkpoints\)\n {2}⚠ log\.empty: .*the log holds no records/);
  });

  it("warns (log.empty) when one instance of two lost its segment files but kept its identity", async () => {
    const log = await shutDownLog(["inst_a", "inst_b"]);
    const instance = join(log.directory, "inst_b");
    for (const name of readdirSync(instance)) if (/^events-\d+\.jsonl$/.test(name)) rmSync(join(instance, name));
    const { code, report } = await verify(log.directory, log.keysFile);
    expect([code, report.status, report.events, report.findings]).toEqual([0, "pass", 12, []]);
    expect(report.warnings).toEqual([{ reason: "log.empty", detail: expect.stringMatching(/inst_b: the log holds no records \(no events-\*\.jsonl segment\)/) }]);
  });

  it("warns (log.unattested_end) when the log was cut back exactly to a count checkpoint", async () => {
    const log = await shutDownLog();
    // Checkpoint 2 covers 10 events; the 2 after it and the shutdown checkpoint go.
    const cut = tampered(log, (lines) => lines.slice(0, lines.findIndex((l) => l.includes(CHECKPOINT) && l.includes('"sequence":2')) + 1));
    const { code, report } = await verify(cut, log.keysFile);
    expect([code, report.status, report.events, report.findings]).toEqual([0, "pass", 10, []]);
    expect(report.warnings).toEqual([{ reason: "log.unattested_end", detail: expect.stringMatching(/the log ends at checkpoint 2 \("count"\), not at a "shutdown" checkpoint/) }]);
    expect((await humanOutput(cut, log.keysFile)).stdout).toMatch(/\n {2}⚠ log\.unattested_end: /);
  });

  it("warns (log.unattested_end) for a live writer whose log ends at an interval checkpoint", async () => {
    const directory = tempDir();
    const { client, evidence, errors } = evidenceClient({ directory, checkpointEvery: 1000, checkpointIntervalMs: 20 });
    const pay = client.wrap({ intent: "Pay", action: "pay.do" }, (n: number) => ({ n }));
    for (let n = 0; n < 3; n++) await client.withCorrelation("live", () => pay(n));
    await evidence.flush();
    while (evidence.stats().checkpoints === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await evidence.flush();
    const keysFile = await keysFileOf(directory);
    const { code, report } = await verify(directory, keysFile);
    expect([code, report.findings, report.checkpoints]).toEqual([0, [], 1]);
    expect(report.warnings).toEqual([{ reason: "log.unattested_end", detail: expect.stringMatching(/ends at checkpoint 1 \("interval"\)/) }]);
    await client.shutdown();
    expect((await verify(directory, keysFile)).report.warnings).toEqual([]);
    expect(errors).toEqual([]);
  });
});
