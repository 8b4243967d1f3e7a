import type { JsonValue } from "./types.js";

/**
 * The spec's canonical JSON text of `value`: object keys sorted at every
 * depth by UTF-16 code unit order, arrays in their order, no whitespace, one
 * trailing `"\n"`. Equal values give byte-identical text, so it can be hashed
 * or compared.
 *
 * Like `JSON.stringify`, a non-finite number is written as `null` and an
 * `undefined` object property is left out (neither occurs in a `JsonValue`,
 * e.g. a `snapshot` result).
 */
export function canonicalJson(value: JsonValue): string {
  return writeValue(value) + "\n";
}

// Plain `<` compares UTF-16 code units, which is the spec's order;
// `localeCompare` would depend on the ICU locale.
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function writeValue(value: JsonValue | undefined): string {
  if (value === null || typeof value !== "object") {
    // JSON.stringify writes strings, numbers and booleans exactly as the
    // spec wants (RFC 8259 escapes, shortest round-trip numbers).
    return JSON.stringify(value) ?? "null";
  }
  if (Array.isArray(value)) {
    let text = "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) text += ",";
      text += writeValue(value[i]);
    }
    return text + "]";
  }
  const keys = Object.keys(value).sort(byCodeUnits);
  let text = "{";
  let first = true;
  for (const key of keys) {
    const member = value[key];
    if (member === undefined) continue;
    if (!first) text += ",";
    first = false;
    text += JSON.stringify(key) + ":" + writeValue(member);
  }
  return text + "}";
}
