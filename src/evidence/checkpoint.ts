/**
 * A signed checkpoint over an instance's whole log, which per-correlation
 * chains cannot give: its size (events so far) and the RFC 6962 Merkle root
 * over their event digests (the 32 bytes each record's signature covers) in
 * log order, linked to the previous checkpoint by hash. Deleting or
 * truncating whole correlations changes the root or the size. Each one also
 * carries the RFC 6962 consistency proof from the previous checkpoint's tree
 * to its own, so a witness holding only checkpoints can check that the log
 * only grew (checkpoints written before proofs existed lack the field).
 *
 * Checkpoints are lines of the same log (`schema: "intentproof.checkpoint.v1"`,
 * a record type of this package, not of spec-v1), signed like events: Ed25519
 * over SHA-256 of the JCS of the record without `signature`.
 */
import type { KeyObject } from "node:crypto";
import { signEd25519 } from "./ed25519.js";
import { eventDigest, formatSha256 } from "./event-hash.js";
import type { EvidenceSignature } from "./record.js";

export const CHECKPOINT_SCHEMA = "intentproof.checkpoint.v1";

/** Why a checkpoint was written. */
export type CheckpointTrigger = "count" | "interval" | "shutdown";

export interface CheckpointRecord {
  schema: typeof CHECKPOINT_SCHEMA;
  tenant_id: string;
  instance_id: string;
  /** 1, 2, 3, … per instance. */
  sequence: number;
  /** Events in the instance's log before this line. */
  log_size: number;
  /** RFC 6962 root over the first `log_size` event digests. */
  merkle_root: string;
  /**
   * RFC 6962 consistency proof (lowercase hex SHA-256 hashes) from the
   * previous checkpoint's `log_size` (0 for the first) to this `log_size`;
   * `[]` when the sizes are equal. Absent in logs written before proofs.
   */
  consistency_proof?: string[];
  /** Hash of the previous checkpoint (`"sha256:"` + 64 zeros for the first). */
  prev_checkpoint_hash: string;
  created_at: string;
  trigger: CheckpointTrigger;
  signature: EvidenceSignature;
}

export interface CheckpointInput {
  tenantId: string;
  instanceId: string;
  sequence: number;
  logSize: number;
  merkleRoot: string;
  /** Hex hashes; omitted only to write the older form. */
  consistencyProof?: string[];
  prevCheckpointHash: string;
  trigger: CheckpointTrigger;
  keyId: string;
  privateKey: KeyObject;
  now?: Date;
}

/** Builds and signs a checkpoint; returns it with its hash (the next one's `prev_checkpoint_hash`). */
export function signCheckpoint(input: CheckpointInput): { record: CheckpointRecord; hash: string } {
  const unsigned = {
    schema: CHECKPOINT_SCHEMA,
    tenant_id: input.tenantId,
    instance_id: input.instanceId,
    sequence: input.sequence,
    log_size: input.logSize,
    merkle_root: input.merkleRoot,
    ...(input.consistencyProof === undefined ? {} : { consistency_proof: input.consistencyProof }),
    prev_checkpoint_hash: input.prevCheckpointHash,
    created_at: (input.now ?? new Date()).toISOString(),
    trigger: input.trigger,
  } as const;
  const digest = eventDigest(unsigned);
  const record: CheckpointRecord = {
    ...unsigned,
    signature: { alg: "ed25519", key_id: input.keyId, value: signEd25519(digest, input.privateKey) },
  };
  return { record, hash: formatSha256(digest) };
}

/** Member names in the order {@link signCheckpoint} builds them (the signature's last): the order of every checkpoint line. */
const LINE_ORDER = [
  "schema", "tenant_id", "instance_id", "sequence", "log_size", "merkle_root", "consistency_proof", "prev_checkpoint_hash", "created_at", "trigger",
  "signature", "alg", "key_id", "value",
];

/**
 * The log line of a checkpoint (without its newline). Unlike an event line it
 * is not in JCS member order: the first logs were written this way, and one
 * fixed text per checkpoint is what the verifier needs.
 */
export function checkpointLine(record: CheckpointRecord): string {
  return JSON.stringify(record, LINE_ORDER);
}

const CHECKPOINT_FIELDS = ["schema", "tenant_id", "instance_id", "sequence", "log_size", "merkle_root", "prev_checkpoint_hash", "created_at", "trigger", "signature"];
const OPTIONAL_FIELDS = ["consistency_proof"];
/** A proof has at most two hashes per level of a tree of 2^53 leaves; more is not a proof. */
const MAX_PROOF_LENGTH = 2 * 53;

/** Problems with a checkpoint's shape (its signature and consistency are the verifier's job). */
export function checkpointShapeProblems(value: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const field of CHECKPOINT_FIELDS) if (!(field in value)) problems.push(`missing "${field}"`);
  for (const field of Object.keys(value)) if (!CHECKPOINT_FIELDS.includes(field) && !OPTIONAL_FIELDS.includes(field)) problems.push(`unknown field "${field}"`);
  if (!Number.isSafeInteger(value.sequence) || (value.sequence as number) < 1) problems.push('"sequence" must be an integer >= 1');
  if (!Number.isSafeInteger(value.log_size) || (value.log_size as number) < 0) problems.push('"log_size" must be an integer >= 0');
  for (const field of ["merkle_root", "prev_checkpoint_hash"]) {
    if (typeof value[field] !== "string" || !/^sha256:[0-9a-f]{64}$/.test(value[field] as string)) problems.push(`"${field}" must be sha256:<64 hex>`);
  }
  const proof = value.consistency_proof;
  if (proof !== undefined && (!Array.isArray(proof) || proof.length > MAX_PROOF_LENGTH || !proof.every((h) => typeof h === "string" && /^[0-9a-f]{64}$/.test(h)))) {
    problems.push(`"consistency_proof" must be an array of at most ${MAX_PROOF_LENGTH} lowercase hex SHA-256 hashes`);
  }
  for (const field of ["tenant_id", "instance_id", "created_at", "trigger"]) if (typeof value[field] !== "string") problems.push(`"${field}" must be a string`);
  const signature = value.signature as Record<string, unknown> | undefined;
  if (typeof signature !== "object" || signature === null || signature.alg !== "ed25519" || typeof signature.key_id !== "string" || typeof signature.value !== "string") {
    problems.push('"signature" must be { alg: "ed25519", key_id, value }');
  }
  return problems;
}
