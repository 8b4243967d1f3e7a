import type { Attributes } from "./types.js";
import { describeValue } from "./options/options-reader.js";

/** Spec rule for attribute keys. */
export const ATTRIBUTE_KEY_PATTERN = /^[A-Za-z0-9_.:-]{1,256}$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Checks user-supplied attributes once, at configuration time, so that events
 * never need checking on the hot path. Returns a frozen copy, or `undefined`
 * when there are none.
 */
export function validateAttributes(value: unknown, field: string, owner = "intentproof"): Readonly<Attributes> | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) {
    throw new TypeError(`${owner}: "${field}" must be a plain object of flat values`);
  }
  const copy: Attributes = {};
  let count = 0;
  for (const key of Object.keys(value)) {
    if (!ATTRIBUTE_KEY_PATTERN.test(key)) {
      throw new TypeError(`${owner}: "${field}" key ${JSON.stringify(key)} must match ${ATTRIBUTE_KEY_PATTERN}`);
    }
    const item = value[key];
    const ok =
      item === null ||
      typeof item === "string" ||
      typeof item === "boolean" ||
      (typeof item === "number" && Number.isFinite(item));
    if (!ok) {
      throw new TypeError(
        `${owner}: "${field}.${key}" must be a string, a finite number, a boolean or null (attributes are flat), got ${describeValue(item)}`,
      );
    }
    copy[key] = item as Attributes[string];
    count++;
  }
  return count === 0 ? undefined : Object.freeze(copy);
}

/** Later sources win; `undefined` when all are empty. */
export function mergeAttributes(...sources: Array<Readonly<Attributes> | undefined>): Readonly<Attributes> | undefined {
  let merged: Attributes | undefined;
  for (const source of sources) {
    if (source === undefined) continue;
    merged = merged === undefined ? { ...source } : Object.assign(merged, source);
  }
  return merged === undefined ? undefined : Object.freeze(merged);
}

export { isPlainObject };
