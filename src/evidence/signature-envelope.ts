/**
 * The one signature envelope of records, checkpoints and bundle manifests:
 * `{ alg: "ed25519", key_id, value: base64 }`, Ed25519 over a 32-byte
 * SHA-256 digest. This classifies an envelope against the trusted keys; each
 * caller maps the verdict to its own reason codes, since they tell different
 * cases apart (a record names an unknown signer before anything else, a
 * checkpoint's envelope is a shape problem, a manifest reports its alg).
 */
import type { KeyObject } from "node:crypto";
import { verifyEd25519 } from "./ed25519.js";

export type EnvelopeVerdict =
  /** Missing, or not an object. */
  | { readonly status: "unsigned" }
  /** An object whose alg, key_id or value is not a string; `keyId` when key_id is one. */
  | { readonly status: "malformed"; readonly keyId?: string }
  | { readonly status: "unsupported_alg"; readonly alg: string; readonly keyId: string }
  | { readonly status: "key_unknown"; readonly keyId: string }
  /** The trusted key it names does not verify it over the digest (or there is no digest). */
  | { readonly status: "invalid"; readonly keyId: string }
  | { readonly status: "verified"; readonly keyId: string };

/**
 * Checks, in this order: an object, string fields, ed25519, a trusted key id,
 * the signature over `digest` (undefined: the signed content has no digest,
 * e.g. it cannot be canonicalized, so no signature can verify).
 */
export function classifySignatureEnvelope(envelope: unknown, digest: Uint8Array | undefined, keys: ReadonlyMap<string, KeyObject>): EnvelopeVerdict {
  if (typeof envelope !== "object" || envelope === null) return { status: "unsigned" };
  const { alg, key_id: keyId, value } = envelope as { alg?: unknown; key_id?: unknown; value?: unknown };
  if (typeof keyId !== "string") return { status: "malformed" };
  if (typeof alg !== "string" || typeof value !== "string") return { status: "malformed", keyId };
  if (alg !== "ed25519") return { status: "unsupported_alg", alg, keyId };
  const key = keys.get(keyId);
  if (key === undefined) return { status: "key_unknown", keyId };
  return digest !== undefined && verifyEd25519(digest, value, key) ? { status: "verified", keyId } : { status: "invalid", keyId };
}
