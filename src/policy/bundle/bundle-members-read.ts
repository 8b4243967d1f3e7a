/** Parsing bundle members leniently: a broken member becomes a finding, not an exception. */
import { createPublicKey } from "node:crypto";
import { rawPublicKey } from "../../evidence/ed25519.js";
import type { TrustedKeys } from "../evidence-input/trusted-keys.js";
import { KEYS_DIRECTORY } from "./bundle-members.js";
import { nestsDeeperThan } from "./json-depth.js";

/** The JSON a member holds; undefined when it is missing, not JSON, or nested deeper than MAX_JSON_DEPTH (nothing after could read it safely). */
export function parseJson(text: Buffer | undefined): unknown {
  if (text === undefined) return undefined;
  const json = text.toString("utf8");
  if (nestsDeeperThan(json)) return undefined;
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}

/** The JSON objects of a JSONL member with the text of each (`texts[i]` is `values[i]`'s line), and how many lines were not JSON objects (or nested too deeply). */
export function parseLines(text: Buffer | undefined): { values: Record<string, unknown>[]; texts: string[]; bad: number } {
  const values: Record<string, unknown>[] = [];
  const texts: string[] = [];
  let bad = 0;
  for (const line of (text?.toString("utf8") ?? "").split("\n")) {
    if (line.trim() === "") continue;
    if (nestsDeeperThan(line)) {
      bad++;
      continue;
    }
    try {
      const value = JSON.parse(line) as unknown;
      if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        values.push(value as Record<string, unknown>);
        texts.push(line);
      } else {
        bad++;
      }
    } catch {
      bad++;
    }
  }
  return { values, texts, bad };
}

/** Key ids shipped as `keys/<id>.pub` that the trusted set does not hold with the same bytes. */
export function untrustedKeys(members: ReadonlyMap<string, Buffer>, trusted: TrustedKeys): string[] {
  const untrusted: string[] = [];
  for (const [name, data] of members) {
    if (!name.startsWith(KEYS_DIRECTORY) || !name.endsWith(".pub")) continue;
    const keyId = name.slice(KEYS_DIRECTORY.length, -".pub".length);
    const known = trusted.get(keyId);
    let same = false;
    try {
      same = known !== undefined && rawPublicKey(createPublicKey(data.toString("utf8"))).equals(rawPublicKey(known));
    } catch {
      same = false;
    }
    if (!same) untrusted.push(keyId);
  }
  return untrusted;
}
