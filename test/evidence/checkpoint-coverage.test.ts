/**
 * Events after a log's last checkpoint: records deleted among them, with the
 * checkpoints after them, leave nothing signed behind. More of them than the
 * writer ever leaves between two checkpoints fails (`checkpoint.missing`);
 * fewer, what a running or crashed writer leaves, is a warning; a witnessed
 * checkpoint settles it. Real logs on disk, tampered as text.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CheckpointRecord } from "../../src/evidence/checkpoint.js";
import { exportPublicKeys } from "../../src/evidence/public-keys.js";
import { runCli } from "../../src/cli/main.js";
import { evidenceClient, tempDir } from "./support/evidence-fixture.js";
import { reasons, tampered, verify, type BuiltLog } from "./support/tamper.js";

const CHECKPOINT = '"schema":"intentproof.checkpoint.v1"';

/** 20 calls over corr-0, corr-1, corr-2 in turn, a checkpoint every 5 events (and at shutdown). */
async function strippableLog(): Promise<BuiltLog> {
  const directory = tempDir();
  const checkpoints: CheckpointRecord[] = [];
  const { client, errors } = evidenceClient({ directory, checkpointEvery: 5, checkpointIntervalMs: 60_000, onCheckpoint: (c) => void checkpoints.push(c) });
  const pay = client.wrap({ intent: "Pay", action: "pay.do" }, (n: number) => ({ n }));
  for (let n = 0; n < 20; n++) await client.withCorrelation(`corr-${n % 3}`, () => pay(n));
  await client.shutdown();
  expect(errors).toEqual([]);
  const keysFile = join(tempDir(), "keys.json");
  writeFileSync(keysFile, JSON.stringify(await exportPublicKeys(directory)));
  return { directory, keysFile, checkpoints };
}

/** Keeps the first `keep` checkpoints; after them drops every later checkpoint and the records `drop` picks. */
function stripAfter(log: BuiltLog, keep: number, drop: (line: string) => boolean): string {
  return tampered(log, (lines) => {
    let seen = 0;
    return lines.filter((line) => {
      if (line.includes(CHECKPOINT)) return ++seen <= keep;
      return seen < keep || !drop(line);
    });
  });
}

describe("events no checkpoint covers", () => {
  it("fails records deleted together with the checkpoints after them (checkpoint.missing)", async () => {
    const log = await strippableLog();
    // The tester's repro: checkpoints 1-2 kept (10 events); after them corr-2's 3 records and every checkpoint go, 7 records stay.
    const copy = stripAfter(log, 2, (line) => line.includes('"correlation_id":"corr-2"'));
    const { code, report } = await verify(copy, log.keysFile);
    expect(code).toBe(1);
    expect(reasons(report)).toEqual(["checkpoint.missing"]);
    expect(report.findings[0]!.detail).toMatch(/7 events end the log and they follow checkpoint 2, but this writer writes a checkpoint after every 5 events/);
  });

  it("only warns when as few events follow the last checkpoint as a writer stopped there leaves; a witness catches the cut", async () => {
    const log = await strippableLog();
    // Everything after checkpoint 2 but corr-0's 3 records: a cut a crash could also have left.
    const copy = stripAfter(log, 2, (line) => !line.includes('"correlation_id":"corr-0"'));
    const { code, report } = await verify(copy, log.keysFile);
    expect([code, report.status, report.findings]).toEqual([0, "pass", []]);
    expect(report.warnings).toEqual([{ reason: "checkpoint.uncovered_events", detail: expect.stringMatching(/3 events end the log and they follow checkpoint 2: nothing signed counts them/) }]);
    const witness = join(tempDir(), "witnessed.jsonl");
    writeFileSync(witness, log.checkpoints.map((c) => JSON.stringify(c)).join("\n") + "\n");
    const witnessed = await verify(copy, log.keysFile, ["--checkpoint", witness]);
    expect([witnessed.code, reasons(witnessed.report)]).toEqual([1, ["checkpoint.event_missing"]]);
  });

  it("warns, and the CLI says so, when every checkpoint is gone (nothing shows the writer's interval)", async () => {
    const log = await strippableLog();
    const copy = tampered(log, (lines) => lines.filter((l) => !l.includes(CHECKPOINT) && !l.includes('"correlation_id":"corr-1"')));
    const { report } = await verify(copy, log.keysFile);
    expect([report.status, report.warnings.map((w) => w.reason)]).toEqual(["pass", ["checkpoint.uncovered_events"]]);
    expect(report.warnings[0]!.detail).toMatch(/13 events end the log and no checkpoint precedes them/);
    let stdout = "";
    const code = await runCli(["verify", copy, "--keys", log.keysFile], { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: () => true } });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^✓ pass: .*\n {2}⚠ checkpoint\.uncovered_events: .*13 events end the log/);
  });

  it("passes a live log with a warning: events written since the last checkpoint", async () => {
    const directory = tempDir();
    const { client, evidence, errors } = evidenceClient({ directory, checkpointEvery: 5, checkpointIntervalMs: 60_000 });
    const pay = client.wrap({ intent: "Pay", action: "pay.do" }, (n: number) => ({ n }));
    for (let n = 0; n < 13; n++) await client.withCorrelation(`live-${n % 2}`, () => pay(n));
    await evidence.flush();
    const keysFile = join(tempDir(), "keys.json");
    writeFileSync(keysFile, JSON.stringify(await exportPublicKeys(directory)));
    const { code, report } = await verify(directory, keysFile);
    expect([code, report.findings, report.checkpoints]).toEqual([0, [], 2]);
    expect(report.warnings.map((w) => w.detail)).toEqual([expect.stringMatching(/3 events end the log and they follow checkpoint 2/)]);
    await client.shutdown();
    const after = await verify(directory, keysFile);
    expect([after.report.status, after.report.warnings]).toEqual(["pass", []]);
    expect(errors).toEqual([]);
  });
});
