/**
 * Checkpoint consistency proofs on real logs: the writer's proofs verify
 * across segment rotation and restarts, older logs without proofs still
 * verify, and a history rewritten with the signing key is caught from the
 * checkpoints a witness kept, without the log.
 */
import { generateKeyPairSync } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CheckpointRecord } from "../../src/evidence/checkpoint.js";
import { eventHash } from "../../src/evidence/event-hash.js";
import { readEvidence } from "../../src/evidence/log-reader.js";
import { exportPublicKeys } from "../../src/evidence/public-keys.js";
import { verifyCheckpointSequence } from "../../src/evidence/verify/checkpoint-sequence.js";
import { verifyCheckpointSequence as verifyCheckpointSequenceOnDemand } from "../../src/index.js";
import { evidenceClient, tempDir } from "./support/evidence-fixture.js";
import { resign, rewriteLog, signingKeyOf } from "./support/rewrite.js";
import { reasons, segmentOf, verify } from "./support/tamper.js";

interface Written {
  directory: string;
  instancePath: string;
  keysFile: string;
  published: CheckpointRecord[];
}

/** Runs one writer on `directory` for `count` calls, publishing its checkpoints. */
async function run(directory: string, count: number, published: CheckpointRecord[], options: { maxSegmentBytes?: number; checkpointEvery?: number } = {}) {
  // No interval checkpoints: a slow machine must not move the checkpoint boundaries the tests name.
  const { client, evidence, errors } = evidenceClient({ directory, checkpointEvery: 5, checkpointIntervalMs: 3_600_000, ...options, onCheckpoint: (c) => void published.push(c) });
  const pay = client.wrap({ intent: "Pay", action: "payments.capture" }, (n: number) => ({ captured: n, note: "z".repeat(200) }));
  for (let i = 0; i < count; i++) client.withCorrelation(`order-${i % 3}`, () => pay(i));
  await client.shutdown();
  expect(errors).toEqual([]);
  return (await evidence.ready()).instancePath;
}

async function written(directory: string, instancePath: string, published: CheckpointRecord[]): Promise<Written> {
  const keysFile = join(tempDir(), "keys.json");
  writeFileSync(keysFile, JSON.stringify(await exportPublicKeys(directory)));
  return { directory, instancePath, keysFile, published };
}

const keysOf = (log: Written) => JSON.parse(readFileSync(log.keysFile, "utf8")) as Parameters<typeof verifyCheckpointSequence>[1];

async function checkpointsIn(directory: string): Promise<CheckpointRecord[]> {
  return (await readEvidence(directory)).flatMap((s) => s.entries.flatMap((e) => (e.kind === "checkpoint" ? [e.record] : [])));
}

/** One writer, one segment: the lines an attacker would rewrite. */
async function singleSegmentLog(count = 23): Promise<Written> {
  const directory = tempDir();
  const published: CheckpointRecord[] = [];
  return written(directory, await run(directory, count, published), published);
}

describe("checkpoint consistency proofs", () => {
  it("verify across segment rotation and restarts, resumed from state.json or from the log alone", async () => {
    const directory = tempDir();
    const published: CheckpointRecord[] = [];
    const instancePath = await run(directory, 23, published, { maxSegmentBytes: 4096 });
    await run(directory, 15, published, { maxSegmentBytes: 4096 }); // ends on a count checkpoint: shutdown repeats its size
    rmSync(join(instancePath, "state.json")); // the next start replays the whole log
    await run(directory, 11, published, { maxSegmentBytes: 4096, checkpointEvery: 4 });
    const log = await written(directory, instancePath, published);

    const inLog = await checkpointsIn(directory);
    expect(inLog).toEqual(published);
    expect(inLog.map((c) => c.sequence)).toEqual(inLog.map((_, i) => i + 1));
    expect(inLog.every((c) => Array.isArray(c.consistency_proof))).toBe(true);
    expect(inLog[0]!.consistency_proof).toEqual([]);
    // A shutdown right after a count checkpoint repeats its size: an empty proof.
    expect(inLog.some((c, i) => i > 0 && c.log_size === inLog[i - 1]!.log_size && c.consistency_proof!.length === 0)).toBe(true);
    expect(inLog.at(-1)!.log_size).toBe(49);

    const { code, report } = await verify(directory, log.keysFile);
    expect(report.findings).toEqual([]);
    expect(code).toBe(0);

    const witness = verifyCheckpointSequence([...published].reverse(), keysOf(log));
    expect(witness).toEqual({ status: "pass", checkpoints: published.length, proven: published.length, unproven: [], findings: [] });
    // The public entry loads the check on first call and answers the same.
    expect(await verifyCheckpointSequenceOnDemand(published, keysOf(log))).toEqual(witness);

    const publishedFile = join(tempDir(), "published.jsonl");
    writeFileSync(publishedFile, published.map((c) => JSON.stringify(c)).join("\n") + "\n");
    expect((await verify(directory, log.keysFile, ["--checkpoint", publishedFile])).report.findings).toEqual([]);
  });

  it("keeps a log written before proofs verifiable, and a writer resuming it proves from the older checkpoint on", async () => {
    const log = await singleSegmentLog();
    const key = signingKeyOf(log.instancePath);
    const segment = segmentOf(log.directory);
    const legacy = rewriteLog(readFileSync(segment, "utf8").trim().split("\n"), key, { stripProofs: true });
    const legacyText = legacy.lines.map((l) => l + "\n").join("");
    writeFileSync(segment, legacyText);
    expect(legacy.lines.at(-1)).toContain('"schema":"intentproof.checkpoint.v1"');
    // state.json as the older writer left it: the hash of its own last checkpoint, the end of its shorter lines.
    const statePath = join(log.instancePath, "state.json");
    const state = JSON.parse(readFileSync(statePath, "utf8")) as { checkpoint: { hash: string }; position: { offset: number } };
    state.checkpoint.hash = eventHash(legacy.checkpoints.at(-1)!);
    state.position.offset = Buffer.byteLength(legacyText);
    writeFileSync(statePath, JSON.stringify(state));

    expect(legacy.checkpoints.every((c) => !("consistency_proof" in c))).toBe(true);
    expect((await verify(log.directory, log.keysFile)).report).toMatchObject({ status: "pass", findings: [] });
    const older = verifyCheckpointSequence(legacy.checkpoints, keysOf(log));
    expect(older).toMatchObject({ status: "pass", proven: 0, findings: [] });
    expect(older.unproven).toHaveLength(legacy.checkpoints.length);
    expect(older.unproven[0]).toMatch(/carries no consistency proof/);

    const resumed: CheckpointRecord[] = [];
    await run(log.directory, 12, resumed);
    expect(resumed[0]!.consistency_proof!.length).toBeGreaterThan(0);
    expect((await verify(log.directory, log.keysFile)).report).toMatchObject({ status: "pass", findings: [] });
    const mixed = verifyCheckpointSequence([...legacy.checkpoints, ...resumed], keysOf(log));
    expect(mixed).toMatchObject({ status: "pass", proven: resumed.length, findings: [] });
    expect(mixed.unproven).toHaveLength(legacy.checkpoints.length);
  });

  it("catches a tampered proof, re-signed: the log verifier and the witness both", async () => {
    const log = await singleSegmentLog();
    const key = signingKeyOf(log.instancePath);
    const segment = segmentOf(log.directory);
    const lines = readFileSync(segment, "utf8").trim().split("\n");
    const index = lines.findIndex((l) => l.includes('"sequence":3,'));
    const checkpoint = JSON.parse(lines[index]!) as CheckpointRecord;
    const proof = checkpoint.consistency_proof!;
    expect(proof.length).toBeGreaterThan(0);
    proof[0] = (proof[0]![0] === "0" ? "1" : "0") + proof[0]!.slice(1);
    lines[index] = JSON.stringify(resign(checkpoint, key));
    // Later checkpoints link to the changed one, as a writer holding the key would make them.
    let previousHash = eventHash(JSON.parse(lines[index]!) as CheckpointRecord);
    for (let i = index + 1; i < lines.length; i++) {
      const later = JSON.parse(lines[i]!) as CheckpointRecord;
      if (later.schema !== "intentproof.checkpoint.v1") continue;
      const relinked = resign({ ...later, prev_checkpoint_hash: previousHash }, key);
      previousHash = eventHash(relinked);
      lines[i] = JSON.stringify(relinked);
    }
    writeFileSync(segment, lines.map((l) => l + "\n").join(""));

    const { code, report } = await verify(log.directory, log.keysFile);
    expect(code).toBe(1);
    expect(reasons(report)).toEqual(["checkpoint.inconsistent"]);
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]!.detail).toMatch(/the consistency proof of checkpoint 3 does not show that its 15 events extend the 10 of checkpoint 2/);

    const witness = verifyCheckpointSequence(await checkpointsIn(log.directory), keysOf(log));
    expect(witness.status).toBe("fail");
    expect(witness.findings.map((f) => f.detail)).toEqual([expect.stringMatching(/checkpoint 3 of .*: the consistency proof of checkpoint 3/)]);
  });

  it("catches a history rewritten with the signing key from the witnessed checkpoints alone", async () => {
    const log = await singleSegmentLog();
    const key = signingKeyOf(log.instancePath);
    const segment = segmentOf(log.directory);
    // An early event (covered by checkpoint 1) gets another amount; everything after is re-signed.
    const rewritten = rewriteLog(readFileSync(segment, "utf8").trim().split("\n"), key, {
      editEvent: (record, index) => {
        if (index === 1) record.output = { captured: 1_000_000, note: "z".repeat(200) };
      },
    });
    writeFileSync(segment, rewritten.lines.map((l) => l + "\n").join(""));
    // Signatures, chains and every root agree with the rewritten log: without a witness it passes.
    expect((await verify(log.directory, log.keysFile)).report).toMatchObject({ status: "pass", findings: [] });

    const honest = log.published;
    expect(honest.length).toBeGreaterThanOrEqual(4);
    const keys = keysOf(log);
    // The witness kept checkpoints 1..3 and now receives the rewritten log's checkpoint 4.
    const fourth = rewritten.checkpoints[3]!;
    const relinked = verifyCheckpointSequence([...honest.slice(0, 3), fourth], keys);
    expect(relinked.status).toBe("fail");
    expect(relinked.findings.map((f) => f.detail)).toEqual([
      expect.stringMatching(/^checkpoint 4 of \S+ does not link to checkpoint 3$/),
      expect.stringMatching(/the consistency proof of checkpoint 4 does not show that its 20 events extend the 15 of checkpoint 3/),
    ]);
    // Even linked to the witnessed checkpoint 3, the new tree does not extend it: only the proof tells.
    const linked = resign({ ...fourth, prev_checkpoint_hash: eventHash(honest[2]!) }, key);
    const proofOnly = verifyCheckpointSequence([...honest.slice(0, 3), linked], keys);
    expect(proofOnly.findings).toEqual([{ reason: "checkpoint.inconsistent", detail: expect.stringMatching(/consistency proof of checkpoint 4 does not show/) }]);
    expect(proofOnly.proven).toBe(3);

    // With the log: verify --checkpoint flags every rewritten checkpoint and the log's next one against the last witnessed.
    const publishedFile = join(tempDir(), "published.jsonl");
    writeFileSync(publishedFile, honest.slice(0, 3).map((c) => JSON.stringify(c)).join("\n") + "\n");
    const { code, report } = await verify(log.directory, log.keysFile, ["--checkpoint", publishedFile]);
    expect(code).toBe(1);
    const details = report.findings.map((f) => f.detail);
    expect(details.filter((d) => /in the log differs from the witnessed one/.test(d))).toHaveLength(3);
    expect(details).toContainEqual(expect.stringMatching(/checkpoint 4 of \S+ in the log does not link to the witnessed checkpoint 3/));
    expect(details).toContainEqual(expect.stringMatching(/checkpoint 4 of \S+ in the log, against the witnessed checkpoint 3: the consistency proof/));
    expect(details).toHaveLength(5); // 3 changed checkpoints, then the log's checkpoint 4 against the last witnessed: link and proof
  });

  it("reports two different checkpoints with one sequence number, and a witness that missed one", async () => {
    const log = await singleSegmentLog();
    const key = signingKeyOf(log.instancePath);
    const [first, second, third, fourth] = log.published as [CheckpointRecord, CheckpointRecord, CheckpointRecord, CheckpointRecord];
    const fork = resign({ ...second, created_at: new Date(0).toISOString() }, key);
    const forked = verifyCheckpointSequence([first, second, fork], keysOf(log));
    expect(forked.findings).toEqual([{ reason: "checkpoint.inconsistent", detail: expect.stringMatching(/two different checkpoints 2 of \S+ are signed/) }]);
    const gap = verifyCheckpointSequence([first, second, fourth], keysOf(log));
    expect(gap).toMatchObject({ status: "pass", proven: 2, findings: [] });
    expect(gap.unproven).toEqual([expect.stringMatching(/^checkpoint 4 of \S+: checkpoint 3 is not among them$/)]);
    void third;
    const unsigned = verifyCheckpointSequence([{ ...first, merkle_root: second.merkle_root }, "nope"], keysOf(log));
    expect(unsigned.findings.map((f) => f.reason)).toEqual(["checkpoint.signature_invalid", "checkpoint.invalid"]);
  });

  it("reports checkpoints signed with a key outside the key set as checkpoint.key_unknown, in the log and witnessed alike", async () => {
    const log = await singleSegmentLog();
    const raw = generateKeyPairSync("ed25519").publicKey.export({ format: "der", type: "spki" }).subarray(12).toString("base64");
    const stranger = { keys: [{ key_id: "someone:k1", alg: "ed25519" as const, public_key: raw }] };
    const alone = verifyCheckpointSequence(log.published.slice(0, 1), stranger);
    expect(alone.findings).toEqual([{ reason: "checkpoint.key_unknown", detail: expect.stringMatching(/^checkpoint #1 of the sequence: checkpoint 1 is signed with key id "\S+", not in the given key set$/) }]);

    const strangerFile = join(tempDir(), "stranger.json");
    writeFileSync(strangerFile, JSON.stringify(stranger));
    const publishedFile = join(tempDir(), "published.jsonl");
    writeFileSync(publishedFile, log.published.map((c) => JSON.stringify(c)).join("\n") + "\n");
    const { report } = await verify(log.directory, strangerFile, ["--checkpoint", publishedFile]);
    const checkpointFindings = report.findings.filter((f) => f.reason.startsWith("checkpoint."));
    // One code for one cause, as the table in docs/evidence.md and verifyCheckpointSequence name it.
    expect(checkpointFindings.filter((f) => f.detail.startsWith("witnessed checkpoint:")).map((f) => f.reason)).toEqual(log.published.map(() => "checkpoint.key_unknown"));
    expect(checkpointFindings.filter((f) => !f.detail.startsWith("witnessed checkpoint:")).map((f) => f.reason)).toEqual(log.published.map(() => "checkpoint.key_unknown"));
  });
});
