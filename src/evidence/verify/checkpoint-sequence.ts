/**
 * What a witness can check with checkpoints alone, without the log: each
 * checkpoint's signature, its hash link to the previous one, and the
 * consistency proof that the log only grew in between. A log whose history
 * was rewritten (an early event replaced, everything after re-signed with the
 * same key) gives a checkpoint whose tree does not extend the one the witness
 * kept, and no proof can bridge the two.
 */
import type { KeyObject } from "node:crypto";
import { checkpointShapeProblems, type CheckpointRecord } from "../checkpoint.js";
import { eventDigest, formatSha256, GENESIS_PREV_HASH } from "../event-hash.js";
import { parseKeySet, type PublicKeySet } from "../key-set.js";
import { EMPTY_MERKLE_ROOT } from "../merkle.js";
import { verifyConsistency } from "../merkle-consistency.js";
import { classifySignatureEnvelope } from "../signature-envelope.js";
import type { Finding } from "./findings.js";

/** The tree a checkpoint signs: its size and root. */
export interface SignedTree {
  sequence: number;
  log_size: number;
  merkle_root: string;
}

/** The empty log every instance starts from: what checkpoint 1's proof starts at. */
export const GENESIS_TREE: SignedTree = { sequence: 0, log_size: 0, merkle_root: EMPTY_MERKLE_ROOT };

const rootBytes = (root: string): Buffer => Buffer.from(root.slice("sha256:".length), "hex");

/**
 * Why `proof` (the `consistency_proof` of `later`) does not show that its
 * tree extends `earlier`'s, the checkpoint before it; undefined when it does.
 */
export function consistencyProblem(earlier: SignedTree, later: SignedTree, proof: readonly string[]): string | undefined {
  if (later.log_size < earlier.log_size) {
    return `checkpoint ${later.sequence} covers ${later.log_size} events, fewer than the ${earlier.log_size} of checkpoint ${earlier.sequence}: the log shrank`;
  }
  const proven = verifyConsistency({
    oldSize: earlier.log_size,
    oldRoot: rootBytes(earlier.merkle_root),
    newSize: later.log_size,
    newRoot: rootBytes(later.merkle_root),
    proof: proof.map((hash) => Buffer.from(hash, "hex")),
  });
  if (proven) return undefined;
  return (
    `the consistency proof of checkpoint ${later.sequence} does not show that its ${later.log_size} events extend the ${earlier.log_size} of ` +
    `${earlier.sequence === 0 ? "the empty log" : `checkpoint ${earlier.sequence}`}: events it covered were changed, replaced or reordered, or the proof was altered`
  );
}

/** A checkpoint whose shape and signature were checked, with its hash. */
export interface CheckedCheckpoint {
  record: CheckpointRecord;
  hash: string;
}

export interface SequenceResult {
  findings: Finding[];
  /** Links shown append-only by a proof (checkpoint 1 counts as linked to the empty log). */
  proven: number;
  /** Links that could not be checked, and why. */
  unproven: string[];
}

/**
 * Checks consecutive checkpoints of each instance against each other: the
 * hash link and the consistency proof. `label` names them in the details
 * ("checkpoint", "witnessed checkpoint").
 */
export function checkSequence(checkpoints: readonly CheckedCheckpoint[], label: string): SequenceResult {
  const result: SequenceResult = { findings: [], proven: 0, unproven: [] };
  const byInstance = new Map<string, Map<number, CheckedCheckpoint>>();
  for (const checked of checkpoints) {
    const { instance_id, sequence } = checked.record;
    let bySequence = byInstance.get(instance_id);
    if (bySequence === undefined) byInstance.set(instance_id, (bySequence = new Map()));
    const other = bySequence.get(sequence);
    if (other === undefined) bySequence.set(sequence, checked);
    else if (other.hash !== checked.hash) {
      result.findings.push({
        reason: "checkpoint.inconsistent",
        detail: `two different ${label}s ${sequence} of ${instance_id} are signed (the log was forked or rewritten)`,
      });
    }
  }
  for (const [instance, bySequence] of byInstance) {
    for (const sequence of [...bySequence.keys()].sort((a, b) => a - b)) {
      const later = (bySequence.get(sequence) as CheckedCheckpoint).record;
      const earlier = sequence === 1 ? { tree: GENESIS_TREE, hash: GENESIS_PREV_HASH } : pick(bySequence.get(sequence - 1));
      const where = `${label} ${sequence} of ${instance}`;
      if (earlier === undefined) {
        result.unproven.push(`${where}: checkpoint ${sequence - 1} is not among them`);
        continue;
      }
      if (later.prev_checkpoint_hash !== earlier.hash) {
        result.findings.push({ reason: "checkpoint.inconsistent", detail: `${where} does not link to ${sequence === 1 ? "the start of the log" : `checkpoint ${sequence - 1}`}` });
      }
      if (later.consistency_proof === undefined) {
        result.unproven.push(`${where} carries no consistency proof (written before checkpoints carried one)`);
        continue;
      }
      const problem = consistencyProblem(earlier.tree, later, later.consistency_proof);
      if (problem === undefined) result.proven++;
      else result.findings.push({ reason: "checkpoint.inconsistent", detail: `${where}: ${problem}` });
    }
  }
  return result;
}

function pick(checked: CheckedCheckpoint | undefined): { tree: SignedTree; hash: string } | undefined {
  return checked === undefined ? undefined : { tree: checked.record, hash: checked.hash };
}

/** A checkpoint's shape and signature problem, if any, as a finding; else its hash. */
export function checkCheckpoint(value: unknown, keys: Map<string, KeyObject>, where: string): { finding: Finding } | { checked: CheckedCheckpoint } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { finding: { reason: "checkpoint.invalid", detail: `${where}: not a JSON object` } };
  const shape = checkpointShapeProblems(value as Record<string, unknown>);
  if (shape.length > 0) return { finding: { reason: "checkpoint.invalid", detail: `${where}: ${shape.join("; ")}` } };
  const record = value as CheckpointRecord;
  const digest = eventDigest(record);
  const finding = checkpointSignatureFinding(record, digest, keys, where);
  return finding === undefined ? { checked: { record, hash: formatSha256(digest) } } : { finding };
}

/**
 * Why a well-formed checkpoint's signature (over `digest`) does not verify with `keys`; undefined when it does.
 * Its envelope's shape (strings, ed25519) is checkpointShapeProblems' job, so all but an unknown key is `checkpoint.signature_invalid`.
 */
export function checkpointSignatureFinding(record: CheckpointRecord, digest: Buffer, keys: Map<string, KeyObject>, where: string): Finding | undefined {
  const verdict = classifySignatureEnvelope(record.signature, digest, keys);
  if (verdict.status === "verified") return undefined;
  if (verdict.status === "key_unknown") {
    return { reason: "checkpoint.key_unknown", detail: `${where}: checkpoint ${record.sequence} is signed with key id "${verdict.keyId}", not in the given key set` };
  }
  return { reason: "checkpoint.signature_invalid", detail: `${where}: the signature of checkpoint ${record.sequence} of ${record.instance_id} does not verify` };
}

/** What {@link verifyCheckpointSequence} found. */
export interface CheckpointSequenceReport {
  /** "pass": every checkpoint is signed by a trusted key and no link or proof failed. */
  status: "pass" | "fail";
  checkpoints: number;
  /** Links from one checkpoint to the next (and from the empty log to checkpoint 1) that a consistency proof showed append-only. */
  proven: number;
  /**
   * Links that could not be checked, and why: the checkpoint before is not in
   * the sequence, or the later one predates consistency proofs. Not a
   * failure, but nothing was shown about them.
   */
  unproven: string[];
  findings: Finding[];
}

/**
 * Checks a sequence of checkpoints (what a witness kept from `onCheckpoint`)
 * without the log: signatures against the keys you trust, each checkpoint's
 * link to the one before, and each consistency proof, per instance. Order
 * does not matter; several instances may be mixed.
 * @throws TypeError for a malformed key set.
 */
export function verifyCheckpointSequence(checkpoints: readonly unknown[], keys: PublicKeySet | Map<string, KeyObject>): CheckpointSequenceReport {
  const keyMap = keys instanceof Map ? keys : parseKeySet(keys);
  const findings: Finding[] = [];
  const valid: CheckedCheckpoint[] = [];
  checkpoints.forEach((value, index) => {
    const outcome = checkCheckpoint(value, keyMap, `checkpoint #${index + 1} of the sequence`);
    if ("finding" in outcome) findings.push(outcome.finding);
    else valid.push(outcome.checked);
  });
  const sequence = checkSequence(valid, "checkpoint");
  findings.push(...sequence.findings);
  return { status: findings.length === 0 ? "pass" : "fail", checkpoints: checkpoints.length, proven: sequence.proven, unproven: sequence.unproven, findings };
}
