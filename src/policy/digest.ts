/**
 * The hashing the policy layer uses, all from src/evidence (one implementation
 * per primitive in the package): JCS text, `sha256:<hex>` digests, RFC 6962
 * roots.
 */
import { hash } from "node:crypto";
import { canonicalize } from "../evidence/jcs.js";
import { merkleRootHex } from "../evidence/merkle.js";

export { eventHash } from "../evidence/event-hash.js";

/** RFC 8785 canonical JSON text. */
export const jcs = canonicalize;

// crypto.hash (Node >= 20.12) is one-shot: no Hash object per digest, which
// matters when a closed flow hashes every one of its events.
export function sha256Hex(data: string | Uint8Array): string {
  return hash("sha256", data, "hex");
}

/** `"sha256:" + hex(SHA-256(data))`. */
export function sha256Tagged(data: string | Uint8Array): string {
  return `sha256:${sha256Hex(data)}`;
}

// The reference runs and the counterparty bundle write the root of an empty
// set as SHA-256 of nothing (e3b0c442…), where src/evidence's log uses zeros.
export const EMPTY_SET_ROOT = sha256Tagged("");

/** RFC 6962 root over `leaves` (raw leaf data, in order); {@link EMPTY_SET_ROOT} for none. */
export function merkleRoot(leaves: readonly Uint8Array[]): string {
  return leaves.length === 0 ? EMPTY_SET_ROOT : merkleRootHex(leaves);
}
