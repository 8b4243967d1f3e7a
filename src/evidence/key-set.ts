/**
 * The public key set (`intentproof keys export`, `intentproof verify --keys`):
 * `{ "keys": [{ "key_id", "alg": "ed25519", "public_key": "<base64 of the 32 raw bytes>" }] }`.
 */
import type { KeyObject } from "node:crypto";
import { publicKeyFromRaw } from "./ed25519.js";

export interface PublicKeyEntry {
  key_id: string;
  alg: "ed25519";
  public_key: string;
}

export interface PublicKeySet {
  keys: PublicKeyEntry[];
}

const RAW_KEY_BASE64 = /^[A-Za-z0-9+/]{43}=$/;

/**
 * Parses a key set into usable keys by id.
 * @throws TypeError naming the first malformed entry, or a key id listed twice with different keys.
 */
export function parseKeySet(value: unknown): Map<string, KeyObject> {
  if (typeof value !== "object" || value === null || !Array.isArray((value as { keys?: unknown }).keys)) {
    throw new TypeError('key set: expected an object { "keys": [...] }');
  }
  const keys = new Map<string, KeyObject>();
  const raw = new Map<string, string>();
  (value as { keys: unknown[] }).keys.forEach((entry, index) => {
    const e = entry as Partial<Record<string, unknown>>;
    if (typeof e !== "object" || e === null) throw new TypeError(`key set: keys[${index}] is not an object`);
    if (typeof e.key_id !== "string" || e.key_id === "") throw new TypeError(`key set: keys[${index}].key_id must be a non-empty string`);
    if (e.alg !== "ed25519") throw new TypeError(`key set: keys[${index}].alg must be "ed25519"`);
    if (typeof e.public_key !== "string" || !RAW_KEY_BASE64.test(e.public_key)) {
      throw new TypeError(`key set: keys[${index}].public_key must be the base64 of 32 raw bytes`);
    }
    const previous = raw.get(e.key_id);
    if (previous !== undefined && previous !== e.public_key) throw new TypeError(`key set: key_id "${e.key_id}" is listed with two different keys`);
    raw.set(e.key_id, e.public_key);
    keys.set(e.key_id, publicKeyFromRaw(Buffer.from(e.public_key, "base64")));
  });
  return keys;
}
