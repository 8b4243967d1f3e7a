/**
 * Signed v1 evidence for CLI tests, made with the evidence layer's own
 * primitives: SDK-recorded ExecutionEvents mapped to intentproof.event.v1,
 * chained per correlation, signed with a test key, written as an instance's
 * log segment; plus the matching key set file.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ExecutionEvent } from "../../../src/core/types.js";
import { privateKeyFromSeed, rawPublicKey, signEd25519 } from "../../../src/evidence/ed25519.js";
import { signCheckpoint } from "../../../src/evidence/checkpoint.js";
import { eventDigest, eventHash, GENESIS_PREV_HASH, withoutSignature } from "../../../src/evidence/event-hash.js";
import { MerkleAccumulator } from "../../../src/evidence/merkle.js";
import { toUnsignedRecord } from "../../../src/evidence/map-event.js";
import type { EvidenceRecord } from "../../../src/evidence/record.js";
import { specV1Validator } from "../../../src/schema/spec-v1.js";
import { describeViolations } from "../../../src/schema/validator.js";

export const INSTANCE = "inst-test";
export const KEY_ID = `${INSTANCE}:k1`;
export const SEED = Buffer.alloc(32, 7);

export function signRecords(events: readonly ExecutionEvent[], tenantId = "acme", seed: Buffer = SEED, instanceId = INSTANCE): EvidenceRecord[] {
  const key = privateKeyFromSeed(seed);
  const heads = new Map<string, { position: number; hash: string }>();
  return events.map((event) => {
    const correlationId = event.correlationId!;
    const head = heads.get(correlationId) ?? { position: 0, hash: GENESIS_PREV_HASH };
    const unsigned = toUnsignedRecord(event, { tenantId, instanceId, correlationId, chainPosition: head.position + 1, prevEventHash: head.hash });
    const record = { ...unsigned, signature: { alg: "ed25519" as const, key_id: `${instanceId}:k1`, value: signEd25519(eventDigest(unsigned), key) } };
    heads.set(correlationId, { position: head.position + 1, hash: eventHash(record) });
    const problems = describeViolations(specV1Validator("execution_event")(record));
    if (problems.length > 0) throw new Error(`test record is not schema-valid: ${problems.join("; ")}`);
    return record;
  });
}

/**
 * `records` followed by the shutdown checkpoint a writer closes its log
 * with, which counts every one of them: a log whose flows lie in no
 * unattested tail.
 */
export function closedLog(records: readonly EvidenceRecord[], seed: Buffer = SEED, instanceId = INSTANCE): object[] {
  const tree = new MerkleAccumulator();
  for (const record of records) tree.add(eventDigest(withoutSignature(record)));
  const { record: checkpoint } = signCheckpoint({
    tenantId: records[0]?.tenant_id ?? "acme",
    instanceId,
    sequence: 1,
    logSize: tree.size,
    merkleRoot: tree.rootHex(),
    consistencyProof: [],
    prevCheckpointHash: GENESIS_PREV_HASH,
    trigger: "shutdown",
    keyId: `${instanceId}:k1`,
    privateKey: privateKeyFromSeed(seed),
  });
  return [...records, checkpoint];
}

/** Writes records as `<dir>/<instance>/events-000001.jsonl` and returns the directory. */
export function writeEvidenceDir(dir: string, records: readonly object[], instanceId = INSTANCE): string {
  mkdirSync(join(dir, instanceId), { recursive: true });
  writeFileSync(join(dir, instanceId, "events-000001.jsonl"), records.map((r) => `${JSON.stringify(r)}\n`).join(""));
  return dir;
}

export function writeKeySet(path: string, seeds: Array<[keyId: string, seed: Buffer]> = [[KEY_ID, SEED]]): string {
  const keys = seeds.map(([key_id, seed]) => ({ key_id, alg: "ed25519", public_key: rawPublicKey(privateKeyFromSeed(seed)).toString("base64") }));
  writeFileSync(path, JSON.stringify({ keys }));
  return path;
}
