import { EMPTY_SET_ROOT, jcs, merkleRoot, sha256Tagged } from "./digest.js";
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

/**
 * {@link runFingerprint} of a run the evaluator just built, without the cost
 * of a generic canonicalization: every object of the run it hashes was built
 * with its keys in RFC 8785 order, so JSON.stringify writes the canonical
 * text. A lone surrogate (which JSON.stringify escapes as `\udXXX`, where
 * JCS writes U+FFFD) or anything else unusual falls back to the generic path;
 * a test keeps both equal.
 */
export function fastRunFingerprint(run: Omit<Run, "run_fingerprint">): string {
  const { outcome_counts: o, severity_counts: s } = run.summary;
  const text = JSON.stringify({
    attestation_set: { ids: run.attestation_set.ids, merkle_root: run.attestation_set.merkle_root },
    findings: run.findings,
    flow_id: run.flow_id,
    flow_merkle_root: run.flow_merkle_root,
    policy_fingerprint: run.policy_fingerprint,
    policy_id: run.policy_id,
    policy_version: run.policy_version,
    provenance_class: run.provenance_class,
    run_id: run.run_id,
    schema: run.schema,
    status: run.status,
    summary: {
      outcome_counts: { fail: o.fail, inconclusive: o.inconclusive, pass: o.pass },
      severity_counts: { critical: s.critical, high: s.high, info: s.info, low: s.low, medium: s.medium },
    },
    tenant_id: run.tenant_id,
    verifier_build_hash: run.verifier_build_hash,
    verifier_version: run.verifier_version,
  });
  if (text.includes("\\u")) return runFingerprint(run);
  return sha256Tagged(text);
}

/** `attestation_set.merkle_root`: RFC 6962 over the attestation ids, sorted, as UTF-8 leaves. */
export function idSetMerkleRoot(ids: readonly string[]): string {
  if (ids.length === 0) return EMPTY_SET_ROOT;
  // Byte order of the UTF-8 ids, as the upstream verifier sorts them.
  const leaves = ids.map((id) => Buffer.from(id, "utf8")).sort(Buffer.compare);
  return merkleRoot(leaves);
}
