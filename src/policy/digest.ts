/**
 * The hashing the policy layer needs: JCS text, SHA-256 digests in the spec's
 * `sha256:<hex>` form, RFC 6962 Merkle roots.
 *
 * TEMPORARY: these are stand-ins until src/evidence (owned by the evidence
 * work) lands; at merge this file re-exports the evidence primitives so the
 * package has one implementation of each.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "../core/canonical-json.js";
import type { JsonValue } from "../core/types.js";

/** RFC 8785 canonical JSON text (the core's canonical form minus its trailing newline). */
export function jcs(value: unknown): string {
  return canonicalJson(value as JsonValue).slice(0, -1);
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** `"sha256:" + hex(SHA-256(data))`. */
export function sha256Tagged(data: string | Uint8Array): string {
  return `sha256:${sha256Hex(data)}`;
}

function hashParts(prefix: number, ...parts: Uint8Array[]): Buffer {
  const hash = createHash("sha256").update(Uint8Array.of(prefix));
  for (const part of parts) hash.update(part);
  return hash.digest();
}

function subtreeRoot(leaves: readonly Uint8Array[], from: number, to: number): Buffer {
  const count = to - from;
  if (count === 1) return hashParts(0x00, leaves[from]!);
  let split = 1;
  while (split * 2 < count) split *= 2;
  return hashParts(0x01, subtreeRoot(leaves, from, from + split), subtreeRoot(leaves, from + split, to));
}

/** RFC 6962 Merkle tree hash of `leaves` (raw leaf data), as `sha256:<hex>`. */
export function merkleRoot(leaves: readonly Uint8Array[]): string {
  if (leaves.length === 0) return sha256Tagged(new Uint8Array(0));
  return `sha256:${subtreeRoot(leaves, 0, leaves.length).toString("hex")}`;
}

/**
 * The spec's event hash: `sha256:` + hex(SHA-256(JCS(record without "signature"))).
 * TEMPORARY like the rest of this file (src/evidence owns it).
 */
export function eventHash(record: Record<string, unknown>): string {
  const { signature: _signature, ...unsigned } = record;
  return sha256Tagged(jcs(unsigned));
}
