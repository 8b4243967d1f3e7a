/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): the bytes an event's hash and
 * signature are computed over.
 *
 * `src/core/canonical-json.ts` orders keys the same way but appends a
 * newline (the spec-v2 line's canonical text), so it cannot be used for JCS.
 */

// A lone UTF-16 surrogate cannot be encoded as UTF-8. Verifiers in other
// languages decode its `\udXXX` escape to U+FFFD, so we canonicalize it as
// U+FFFD too: a record with one still verifies everywhere.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const ANY_SURROGATE = /[\uD800-\uDFFF]/;

function writeString(text: string): string {
  // JSON.stringify escapes exactly as RFC 8785 §3.2.2.2 asks (the
  // ECMAScript rules: \b \t \n \f \r \" \\, other controls as \u00xx).
  return JSON.stringify(ANY_SURROGATE.test(text) ? text.replace(LONE_SURROGATE, "\uFFFD") : text);
}

function writeValue(value: unknown): string {
  switch (typeof value) {
    case "string":
      return writeString(value);
    case "number":
      // Number.prototype.toString is the serialization RFC 8785 §3.2.2.3
      // prescribes; JSON has no NaN or Infinity.
      if (!Number.isFinite(value)) throw new TypeError(`JCS: ${value} is not a JSON number`);
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) {
        let text = "[";
        for (let i = 0; i < value.length; i++) {
          if (i > 0) text += ",";
          const item: unknown = value[i];
          text += item === undefined ? "null" : writeValue(item);
        }
        return text + "]";
      }
      const record = value as Record<string, unknown>;
      // Without a comparator, sort() orders strings by UTF-16 code units:
      // exactly RFC 8785 §3.2.3, and faster than any comparator.
      const keys = Object.keys(record).sort();
      let text = "{";
      let first = true;
      for (const key of keys) {
        const member = record[key];
        if (member === undefined) continue;
        text += (first ? "" : ",") + writeString(key) + ":" + writeValue(member);
        first = false;
      }
      return text + "}";
    }
    default:
      throw new TypeError(`JCS: a ${typeof value} is not a JSON value`);
  }
}

/**
 * The RFC 8785 canonical text of a JSON value (no trailing newline).
 * Object members whose value is `undefined` are left out, like JSON.
 *
 * @throws TypeError for a non-finite number, a bigint, a function or a symbol.
 */
export function canonicalize(value: unknown): string {
  return writeValue(value);
}
