/**
 * The trusted public keys (`--keys <keys.json>`), in the key-set format of
 * `intentproof keys export`: `{ "keys": [{ "key_id", "alg": "ed25519", "public_key": "<base64 of 32 raw bytes>" }] }`.
 * TEMPORARY parser until src/evidence's key-set module is merged.
 */
import type { KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import { publicKeyFromRaw, rawPublicKey } from "../../evidence/ed25519.js";

export type TrustedKeys = ReadonlyMap<string, KeyObject>;

const RAW_KEY_BASE64 = /^[A-Za-z0-9+/]{43}=$/;

export function parseTrustedKeys(value: unknown, source = "key set"): Map<string, KeyObject> {
  const list = (value as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list)) throw new TypeError(`${source}: expected { "keys": [...] }`);
  const keys = new Map<string, KeyObject>();
  list.forEach((entry, i) => {
    const e = (entry ?? {}) as Record<string, unknown>;
    if (typeof e.key_id !== "string" || e.key_id === "") throw new TypeError(`${source}: keys[${i}].key_id must be a non-empty string`);
    if (e.alg !== "ed25519") throw new TypeError(`${source}: keys[${i}].alg must be "ed25519"`);
    if (typeof e.public_key !== "string" || !RAW_KEY_BASE64.test(e.public_key)) throw new TypeError(`${source}: keys[${i}].public_key must be the base64 of 32 raw bytes`);
    const key = publicKeyFromRaw(Buffer.from(e.public_key, "base64"));
    const previous = keys.get(e.key_id);
    if (previous !== undefined && !rawPublicKey(previous).equals(rawPublicKey(key))) throw new TypeError(`${source}: key_id "${e.key_id}" is listed with two different keys`);
    keys.set(e.key_id, key);
  });
  return keys;
}

export async function loadTrustedKeys(path: string): Promise<Map<string, KeyObject>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new TypeError(`${path}: cannot read the key set (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TypeError(`${path}: not JSON (${(error as Error).message})`);
  }
  return parseTrustedKeys(value, path);
}
