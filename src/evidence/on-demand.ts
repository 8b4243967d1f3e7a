/**
 * The evidence entry points that read files (the verifier, the key export)
 * load their modules on first call: they never run on a request's path, and
 * loading them with `import "intentproof"` would add their code to every
 * service's start-up.
 */
import type { KeyObject } from "node:crypto";
import type { CheckpointRecord } from "./checkpoint.js";
import type { PublicKeySet } from "./key-set.js";
import type { VerifyReport } from "./verify/findings.js";

/**
 * Verifies an evidence directory or `.jsonl` file against a key set you
 * trust (never one read from beside the data).
 * @throws TypeError for a malformed key set; Error when `target` holds no log.
 */
export async function verifyEvidence(
  target: string,
  keys: PublicKeySet | Map<string, KeyObject>,
  options?: { witnessed?: CheckpointRecord[]; listChains?: boolean },
): Promise<VerifyReport> {
  const { verifyEvidence: verify } = await import("./verify/verify-evidence.js");
  return verify(target, keys, options);
}

/**
 * Every key every instance in `directory` has used (also when `directory` is
 * one instance directory), in a stable order.
 * @throws Error when two instances claim one key id with different keys.
 */
export async function exportPublicKeys(directory: string): Promise<PublicKeySet> {
  const { exportPublicKeys: exportKeys } = await import("./public-keys.js");
  return exportKeys(directory);
}
