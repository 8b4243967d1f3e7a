import { jcs, merkleRoot, sha256Tagged } from "./digest.js";
import type { Run } from "./types.js";

// Fields a fingerprint leaves out: the fingerprint itself and what is added
// when the object is signed (spec-v1/README.md "Policy"; for runs also the
// timestamps, so a replay of the same evaluation gives the same fingerprint).
const POLICY_UNHASHED = new Set(["policy_fingerprint", "signed_at", "signature"]);
const RUN_UNHASHED = new Set(["run_fingerprint", "signature", "started_at", "completed_at"]);

function without(document: object, fields: ReadonlySet<string>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(document)) if (!fields.has(key)) copy[key] = value;
  return copy;
}

/** `policy_fingerprint`: SHA-256 of the JCS of the policy without `policy_fingerprint`, `signed_at`, `signature`. */
export function policyFingerprint(policy: object): string {
  return sha256Tagged(jcs(without(policy, POLICY_UNHASHED)));
}

/** `run_fingerprint`: SHA-256 of the JCS of the run without fingerprint, signature and timestamps. */
export function runFingerprint(run: Omit<Run, "run_fingerprint"> | Run): string {
  return sha256Tagged(jcs(without(run, RUN_UNHASHED)));
}

/** `attestation_set.merkle_root`: RFC 6962 over the attestation ids, sorted, as UTF-8 leaves. */
export function idSetMerkleRoot(ids: readonly string[]): string {
  // Byte order of the UTF-8 ids, as the upstream verifier sorts them.
  const leaves = ids.map((id) => Buffer.from(id, "utf8")).sort(Buffer.compare);
  return merkleRoot(leaves);
}
