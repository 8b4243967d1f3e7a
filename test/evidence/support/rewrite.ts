/**
 * What an attacker holding the signing key can do to a log: change records
 * and re-sign everything after them, so that every signature, chain link and
 * checkpoint root is valid again. Also writes the older log form (checkpoints
 * without consistency_proof), as a writer before proofs did.
 */
import { createPrivateKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CheckpointRecord } from "../../../src/evidence/checkpoint.js";
import { signEd25519 } from "../../../src/evidence/ed25519.js";
import { eventDigest, eventHash, formatSha256, GENESIS_PREV_HASH } from "../../../src/evidence/event-hash.js";
import { MerkleAccumulator } from "../../../src/evidence/merkle.js";
import { consistencyProof } from "../../../src/evidence/merkle-consistency.js";
import type { EvidenceRecord } from "../../../src/evidence/record.js";

export function signingKeyOf(instancePath: string): KeyObject {
  return createPrivateKey(readFileSync(join(instancePath, "signing-key.pem")));
}

/** Signs `record` (its `signature.key_id` kept) again after a change. */
export function resign<T extends { signature: { key_id: string } }>(record: T, key: KeyObject): T {
  const { signature, ...unsigned } = record;
  return { ...unsigned, signature: { alg: "ed25519", key_id: signature.key_id, value: signEd25519(eventDigest(unsigned), key) } } as unknown as T;
}

export interface RewriteOptions {
  /** Changes an event (by its index among events) in place. */
  editEvent?: (record: EvidenceRecord, index: number) => void;
  /** Write checkpoints as before consistency proofs existed. */
  stripProofs?: boolean;
}

/** Re-signs every line of one instance's log after the edits, re-linking chains and checkpoints. */
export function rewriteLog(lines: readonly string[], key: KeyObject, options: RewriteOptions = {}): { lines: string[]; checkpoints: CheckpointRecord[] } {
  const heads = new Map<string, string>();
  const leaves: Buffer[] = [];
  const tree = new MerkleAccumulator();
  let previous = { size: 0, hash: GENESIS_PREV_HASH };
  let eventIndex = 0;
  const out: string[] = [];
  const checkpoints: CheckpointRecord[] = [];
  for (const line of lines) {
    const value = JSON.parse(line) as { schema: string };
    if (value.schema === "intentproof.event.v1") {
      let record = value as EvidenceRecord;
      options.editEvent?.(record, eventIndex++);
      record.prev_event_hash = heads.get(record.correlation_id) ?? GENESIS_PREV_HASH;
      record = resign(record, key);
      const digest = eventDigest(record);
      heads.set(record.correlation_id, formatSha256(digest));
      leaves.push(tree.add(digest));
      out.push(JSON.stringify(record));
      continue;
    }
    let checkpoint = value as CheckpointRecord;
    checkpoint.merkle_root = tree.rootHex();
    checkpoint.prev_checkpoint_hash = previous.hash;
    if (options.stripProofs === true) delete checkpoint.consistency_proof;
    else checkpoint.consistency_proof = consistencyProof(leaves, previous.size, tree.size).map((h) => h.toString("hex"));
    checkpoint = resign(checkpoint, key);
    previous = { size: tree.size, hash: eventHash(checkpoint) };
    checkpoints.push(checkpoint);
    out.push(JSON.stringify(checkpoint));
  }
  return { lines: out, checkpoints };
}
