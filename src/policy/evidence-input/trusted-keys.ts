/**
 * The trusted public keys (`--keys <keys.json>`): the key-set format of
 * `intentproof keys export`, parsed by src/evidence.
 */
import type { KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import { parseKeySet, type PublicKeySet } from "../../evidence/key-set.js";

export type TrustedKeys = ReadonlyMap<string, KeyObject>;

/** Keys as the APIs take them: a key-set file path, a key set (`intentproof keys export` output), or keys by id. */
export type KeysInput = string | PublicKeySet | TrustedKeys;

/** @throws TypeError for an unreadable file or a malformed key set. */
export async function resolveTrustedKeys(keys: KeysInput): Promise<TrustedKeys> {
  if (typeof keys === "string") return loadTrustedKeys(keys);
  if (keys instanceof Map) return keys;
  return parseKeySet(keys);
}

/** @throws TypeError naming the file and the problem. */
export async function loadTrustedKeys(path: string): Promise<Map<string, KeyObject>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new TypeError(`${path}: cannot read the key set (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    return parseKeySet(JSON.parse(text));
  } catch (error) {
    throw new TypeError(`${path}: not a usable key set (${(error as Error).message})`);
  }
}
