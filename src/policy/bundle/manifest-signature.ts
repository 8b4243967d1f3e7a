/**
 * The manifest's signature. The manifest lists every member's SHA-256
 * (events.jsonl included) and the events' Merkle root, so a manifest signed
 * by the evidence holder's key fixes the set of events, and with it the
 * flow's length: dropping the last events changes events.jsonl, and a
 * manifest that lists the new hash must be signed again, which a holder of
 * the public keys cannot do.
 *
 * The rule: Ed25519 (RFC 8032, pure) over the 32 bytes of
 * SHA-256(UTF-8(JCS(manifest without `signature`))), `signature = { alg:
 * "ed25519", key_id, value: base64 }`, `key_id` being the id the key set
 * (`intentproof keys export`, `--keys`) gives the public key. The spec's
 * manifest schema only defines that envelope and fixes no signing rule for
 * the manifest, so this is the rule the spec fixes for events (spec-v1
 * README, "Hash" and "Signature") and this package uses for its records and
 * checkpoints (src/evidence/record.ts, checkpoint.ts). The upstream tools
 * hash a manifest the same way (JCS without `signature`, SHA-256, Ed25519
 * over the digest); their bundle verifier reads the value as hex, where this
 * one, like the spec's records and its golden manifest case, writes base64.
 *
 * node:crypto is fetched when a manifest is signed, not imported: this file
 * is part of `import "intentproof"` (createProofBundle), which loads no
 * node:crypto (see src/evidence/sha256.ts). The verifier's side is in
 * verify-bundle.ts.
 */
import type { KeyObject } from "node:crypto";
import { eventDigest } from "../../evidence/event-hash.js";
import type { EvidenceSignature } from "../../evidence/record.js";

function crypto(): typeof import("node:crypto") {
  return process.getBuiltinModule("node:crypto");
}

/** The 32 bytes a manifest's signature covers: SHA-256 of the JCS of the manifest without `signature`. */
export function manifestDigest(manifest: object): Buffer {
  return eventDigest(manifest);
}

function publicHalf(key: KeyObject): KeyObject {
  return key.type === "private" ? crypto().createPublicKey(key) : key;
}

/**
 * The id under which `keys` holds the public half of `privateKey`: one of
 * `preferred` (the ids that sign the flow's events) when it is among them,
 * else the first in byte order; `undefined` when `keys` does not hold it.
 */
export function signingKeyId(privateKey: KeyObject, keys: ReadonlyMap<string, KeyObject>, preferred: readonly string[] = []): string | undefined {
  const own = publicHalf(privateKey);
  const ids = [...keys].filter(([, key]) => publicHalf(key).equals(own)).map(([id]) => id).sort();
  return ids.find((id) => preferred.includes(id)) ?? ids[0];
}

/** The signature of `manifest` (its `signature` member, if any, is not covered). */
export function signManifest(manifest: object, privateKey: KeyObject, keyId: string): EvidenceSignature {
  return { alg: "ed25519", key_id: keyId, value: crypto().sign(null, manifestDigest(manifest), privateKey).toString("base64") };
}
