/**
 * Ed25519 (RFC 8032, pure) with node:crypto: key import/export in the raw
 * 32-byte forms the spec's key sets carry, and signing of record digests.
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";

// DER prefixes of PKCS#8 / SPKI wrappers around a raw Ed25519 key (RFC 8410).
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** A private key from its 32-byte seed. */
export function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new TypeError(`Ed25519 seed must be 32 bytes, got ${seed.length}`);
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" });
}

/** A public key from its 32 raw bytes. */
export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new TypeError(`Ed25519 public key must be 32 bytes, got ${raw.length}`);
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: "der", type: "spki" });
}

/** The 32 raw bytes of a public key (or of the public half of a private key). */
export function rawPublicKey(key: KeyObject): Buffer {
  const publicKey = key.type === "private" ? createPublicKey(key) : key;
  return publicKey.export({ format: "der", type: "spki" }).subarray(SPKI_PREFIX.length);
}

/** Ed25519 signature over `message` (for records: the 32 digest bytes), base64. */
export function signEd25519(message: Uint8Array, privateKey: KeyObject): string {
  return sign(null, message, privateKey).toString("base64");
}

const BASE64 = /^[A-Za-z0-9+/]{86}==$/;

/** Checks a base64 Ed25519 signature; false for a malformed one, never throws. */
export function verifyEd25519(message: Uint8Array, signatureBase64: unknown, publicKey: KeyObject): boolean {
  if (typeof signatureBase64 !== "string" || !BASE64.test(signatureBase64)) return false;
  try {
    return verify(null, message, publicKey, Buffer.from(signatureBase64, "base64"));
  } catch {
    return false;
  }
}
