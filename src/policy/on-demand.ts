/**
 * The policy entry points that read files (checking an evidence log, making
 * or verifying a bundle) load their modules on first call: they never run on
 * a request's path, and loading them with `import "intentproof"` would add
 * their code to every service's start-up.
 */
import type { BundleVerification, BundleVerifyOptions } from "./bundle/verify-bundle.js";
import type { BundleEvidenceOptions, CheckEvidenceOptions, EvidenceBundle, EvidenceCheck } from "./check-evidence.js";
import type { KeysInput } from "./evidence-input/trusted-keys.js";
import type { Policy } from "./types.js";

/**
 * Checks the flows of an evidence directory or `.jsonl` file against `policy`.
 * @throws TypeError for unusable input (unreadable evidence or key set, no events, unknown correlation).
 */
export async function checkEvidence(target: string, policy: Policy, options?: CheckEvidenceOptions): Promise<EvidenceCheck> {
  const { checkEvidence: check } = await import("./check-evidence.js");
  return check(target, policy, options);
}

/**
 * The proof bundle of one correlation of an evidence directory, after
 * verifying the log: a finding about that correlation or about the log itself
 * refuses the bundle (`integrity` is returned instead). Its manifest is
 * signed with `signingKey`, by default with the key of the instance that
 * signed the flow's events when its directory holds it (`signing` says which
 * key, or why the bundle is unsigned).
 * @throws TypeError for unusable input.
 */
export async function bundleEvidence(target: string, options: BundleEvidenceOptions): Promise<EvidenceBundle> {
  const { bundleEvidence: bundle } = await import("./check-evidence.js");
  return bundle(target, options);
}

/** Verifies a bundle file against trusted keys (a key-set file path, a key set, or keys by id). */
export async function verifyBundleFile(path: string, keys: KeysInput, options?: BundleVerifyOptions): Promise<BundleVerification> {
  const { verifyBundleFile: verify } = await import("./bundle/verify-bundle-file.js");
  return verify(path, keys, options);
}
