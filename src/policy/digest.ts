/**
 * The hashing the policy layer uses, all from src/evidence (one implementation
 * per primitive in the package): JCS text, `sha256:<hex>` digests, RFC 6962
 * roots.
 */
import { canonicalize } from "../evidence/jcs.js";
import { merkleRootHex } from "../evidence/merkle.js";
import { sha256Hex } from "../evidence/sha256.js";

export { eventHash } from "../evidence/event-hash.js";

/** RFC 8785 canonical JSON text. */
export const jcs = canonicalize;

export { sha256Hex };

/** `"sha256:" + hex(SHA-256(data))`. */
export function sha256Tagged(data: string | Uint8Array): string {
  return `sha256:${sha256Hex(data)}`;
}

// The reference runs and the counterparty bundle write the root of an empty
// set as SHA-256 of nothing, where src/evidence's log uses zeros. Written out
// (a test checks it) so that importing this module hashes nothing: hashing
// loads node:crypto, which `import "intentproof"` leaves to first use.
export const EMPTY_SET_ROOT = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** RFC 6962 root over `leaves` (raw leaf data, in order); {@link EMPTY_SET_ROOT} for none. */
export function merkleRoot(leaves: readonly Uint8Array[]): string {
  return leaves.length === 0 ? EMPTY_SET_ROOT : merkleRootHex(leaves);
}
