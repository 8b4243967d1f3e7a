import { canonicalize, canonicalizeOwned } from "./jcs.js";
import { sha256 } from "./sha256.js";

/** `prev_event_hash` of chain position 1: "sha256:" and 64 zeros (spec-v1 README). */
export const GENESIS_PREV_HASH = "sha256:" + "0".repeat(64);

/** The `"sha256:<hex>"` form the spec uses for every hash it carries. */
export function formatSha256(digest: Uint8Array): string {
  const bytes = Buffer.isBuffer(digest) ? digest : Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength);
  return "sha256:" + bytes.toString("hex");
}

/** The 32 digest bytes of a `"sha256:<64 hex>"` string, or `undefined` when it is not one. */
export function parseSha256(text: unknown): Buffer | undefined {
  if (typeof text !== "string" || !/^sha256:[0-9a-f]{64}$/.test(text)) return undefined;
  return Buffer.from(text.slice(7), "hex");
}

/** A copy of `record` without its `signature` member: what is hashed and signed. */
export function withoutSignature<T extends object>(record: T): Omit<T, "signature"> {
  const { signature: _signature, ...unsigned } = record as T & { signature?: unknown };
  return unsigned;
}

/**
 * SHA-256 over the UTF-8 bytes of the RFC 8785 canonical JSON of `record`
 * without its `signature` member. These 32 bytes are what Ed25519 signs.
 */
export function eventDigest(record: object): Buffer {
  // One-shot hash: no Hash object per record on the sealing path.
  return sha256(canonicalize("signature" in record ? withoutSignature(record) : record));
}

/**
 * The canonical bytes of an unsigned record being sealed and their digest:
 * what is hashed, and the start of its log line. Bytes rather than text:
 * hashing a fresh string copies it on the heap, while a small Buffer's bytes
 * live outside it, in Node's pool, until the line is written. The record is
 * the caller's to give up: payload members not in canonical form are
 * replaced in it.
 */
export function canonicalDigest(unsigned: object): { canonical: Buffer; digest: Buffer } {
  const canonical = Buffer.from(canonicalizeOwned(unsigned as Record<string, unknown>), "utf8");
  return { canonical, digest: sha256(canonical) };
}

/**
 * Appends to `lines` the JSONL line of a signed record, from the canonical
 * bytes of its unsigned form, as two pieces: those bytes without the closing
 * brace, then the signature member (`signatureJson` is its JSON), the brace
 * and the newline. The record is not serialized a second time; parsing the
 * line gives the signed record, members in canonical order with `signature`
 * last.
 */
export function appendSignedLine(lines: Uint8Array[], canonical: Buffer, signatureJson: string): void {
  lines.push(canonical.subarray(0, canonical.length - 1), Buffer.from(',"signature":' + signatureJson + "}\n", "utf8"));
}

/**
 * The text of a signed record's line (without its newline), as
 * {@link appendSignedLine} writes it: `canonicalUnsigned`, the canonical JSON
 * of the record without its signature, with the `signature` member appended.
 */
export function signedLineText(canonicalUnsigned: string, signature: unknown): string {
  if (signature === undefined) return canonicalUnsigned;
  return `${canonicalUnsigned.slice(0, -1)},"signature":${canonicalize(signature)}}`;
}

/** `"sha256:" + hex(eventDigest(record))`: the value the next chain link carries as `prev_event_hash`. */
export function eventHash(record: object): string {
  return formatSha256(eventDigest(record));
}
