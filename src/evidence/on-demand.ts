/**
 * The evidence entry points that read files (the verifier, the key export)
 * load their modules on first call: they never run on a request's path, and
 * loading them with `import "intentproof"` would add their code to every
 * service's start-up.
 */
import type { KeyObject } from "node:crypto";
import type { CheckpointRecord } from "./checkpoint.js";
import type { PublicKeySet } from "./key-set.js";
import type { CheckpointSequenceReport } from "./verify/checkpoint-sequence.js";
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

/**
 * Checks the checkpoints a witness kept, without the log: signatures against
 * the keys you trust, links and consistency proofs, per instance.
 * @throws TypeError for a malformed key set.
 */
export async function verifyCheckpointSequence(
  checkpoints: readonly unknown[],
  keys: PublicKeySet | Map<string, KeyObject>,
): Promise<CheckpointSequenceReport> {
  const { verifyCheckpointSequence: verify } = await import("./verify/checkpoint-sequence.js");
  return verify(checkpoints, keys);
}
