/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): the bytes an event's hash and
 * signature are computed over.
 *
 * `src/core/canonical-json.ts` orders keys the same way but appends a
 * newline (the spec-v2 line's canonical text), so it cannot be used for JCS.
 *
 * Sealing canonicalizes every record, so garbage here lands in the young
 * generation the application allocates into. A value whose members are
 * already in canonical order is written by one `JSON.stringify`, whose
 * output for such a value is exactly JCS; objects in another order (captured
 * payloads) are copied in canonical order first. The member-by-member writer
 * remains for what a copy cannot express.
 */

// A lone UTF-16 surrogate cannot be encoded as UTF-8. Verifiers in other
// languages decode its `\udXXX` escape to U+FFFD, so we canonicalize it as
// U+FFFD too: a record with one still verifies everywhere.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const ANY_SURROGATE = /[\uD800-\uDFFF]/;
// Not global: test() on it keeps no position between calls.
const FIND_LONE_SURROGATE = new RegExp(LONE_SURROGATE.source);

/** True when `text` holds a lone surrogate: JCS writes it as U+FFFD, so it does not survive canonicalization. */
export function hasLoneSurrogate(text: string): boolean {
  return ANY_SURROGATE.test(text) && FIND_LONE_SURROGATE.test(text);
}

/** Objects with more members than this are ordered by the built-in sort. */
const INSERTION_SORT_MAX = 24;

function writeString(text: string): string {
  // JSON.stringify escapes exactly as RFC 8785 §3.2.2.2 asks (the
  // ECMAScript rules: \b \t \n \f \r \" \\, other controls as \u00xx).
  return JSON.stringify(ANY_SURROGATE.test(text) ? text.replace(LONE_SURROGATE, "\uFFFD") : text);
}

/** Returned by {@link canonicalForm} for a value only the member-by-member writer handles. */
const MEMBER_BY_MEMBER = Symbol("member-by-member");

/**
 * `value` itself when `JSON.stringify(value)` is already its canonical text,
 * else a copy for which it is: members in code-unit order, lone surrogates
 * replaced. Returns {@link MEMBER_BY_MEMBER} for what a copy cannot express
 * (array-index member names that V8 would enumerate first, `__proto__`, a
 * surrogate in a member name, objects that are not plain).
 */
function canonicalForm(value: unknown): unknown {
  switch (typeof value) {
    case "string":
      return ANY_SURROGATE.test(value) ? value.replace(LONE_SURROGATE, "\uFFFD") : value;
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`JCS: ${value} is not a JSON number`);
      return value;
    case "boolean":
      return value;
    case "object": {
      if (value === null) return null;
      if (Array.isArray(value)) return arrayForm(value);
      const prototype = Object.getPrototypeOf(value) as unknown;
      if (prototype !== Object.prototype && prototype !== null) return MEMBER_BY_MEMBER;
      return objectForm(value as Record<string, unknown>);
    }
    default:
      throw new TypeError(`JCS: a ${typeof value} is not a JSON value`);
  }
}

function arrayForm(array: readonly unknown[]): unknown {
  if (isCanonical(array)) return array;
  const copy: unknown[] = [];
  for (const item of array) {
    // JSON.stringify writes an undefined item as null, as JCS does.
    const form = item === undefined ? item : canonicalForm(item);
    if (form === MEMBER_BY_MEMBER) return MEMBER_BY_MEMBER;
    copy.push(form);
  }
  return copy;
}

function objectForm(record: Record<string, unknown>): unknown {
  if (isCanonical(record)) return record;
  const keys = sortKeys(Object.keys(record));
  if (!enumeratesAsSorted(keys)) return MEMBER_BY_MEMBER;
  const copy: Record<string, unknown> = {};
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    if (key === "__proto__" || ANY_SURROGATE.test(key)) return MEMBER_BY_MEMBER;
    const form = canonicalForm(member);
    if (form === MEMBER_BY_MEMBER) return MEMBER_BY_MEMBER;
    copy[key] = form;
  }
  return copy;
}

/**
 * True when an object given these member names in this (sorted) order
 * enumerates them in the same order. V8 enumerates array-index names first,
 * in numeric order, then the others in insertion order; names of up to nine
 * digits are the indices recognised here, and a longer run of digits is
 * left to the member-by-member writer.
 */
function enumeratesAsSorted(sortedKeys: readonly string[]): boolean {
  let named = false;
  let previousIndex = -1;
  for (const key of sortedKeys) {
    const index = arrayIndex(key);
    if (index === -2) return false;
    if (index === -1) {
      named = true;
    } else {
      if (named || index < previousIndex) return false;
      previousIndex = index;
    }
  }
  return true;
}

/** The array index a member name denotes, -1 for none, -2 for a run of digits too long to be sure. */
function arrayIndex(key: string): number {
  const first = key.charCodeAt(0);
  if (!(first >= 48 && first <= 57) || (first === 48 && key.length > 1)) return -1;
  let value = 0;
  for (let i = 0; i < key.length; i++) {
    const digit = key.charCodeAt(i) - 48;
    if (!(digit >= 0 && digit <= 9)) return -1;
    value = value * 10 + digit;
  }
  return key.length > 9 ? -2 : value;
}

/** True when the own members of `record` enumerate in code-unit order, with names JSON.stringify writes as JCS does. */
function membersInOrder(record: Record<string, unknown>): boolean {
  const prototype = Object.getPrototypeOf(record) as unknown;
  if ((prototype !== Object.prototype && prototype !== null) || typeof record.toJSON === "function") return false;
  let previous: string | undefined;
  for (const key in record) {
    if (!Object.hasOwn(record, key) || (previous !== undefined && previous >= key) || ANY_SURROGATE.test(key)) return false;
    previous = key;
  }
  return true;
}

/** True when `JSON.stringify(value)` is exactly the canonical text of `value`. Allocates nothing. */
function isCanonical(value: unknown): boolean {
  switch (typeof value) {
    case "string":
      return !ANY_SURROGATE.test(value);
    case "number":
      return Number.isFinite(value);
    case "boolean":
      return true;
    case "object": {
      if (value === null) return true;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item !== undefined && !isCanonical(item)) return false;
        }
        return true;
      }
      const record = value as Record<string, unknown>;
      if (!membersInOrder(record)) return false;
      for (const key in record) {
        const member = record[key];
        if (member !== undefined && !isCanonical(member)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/** Sorts member names by UTF-16 code units (RFC 8785 §3.2.3), in place. */
function sortKeys(keys: string[]): string[] {
  // Without a comparator, sort() orders strings by code units too, but
  // allocates a work copy; the short lists of a record need none.
  if (keys.length > INSERTION_SORT_MAX) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    while (j >= 0 && (keys[j] as string) > key) {
      keys[j + 1] = keys[j] as string;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
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
      let text = "{";
      let first = true;
      for (const key of sortKeys(Object.keys(record))) {
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
 * @throws TypeError for a non-finite number, a bigint, a function, a symbol, or a value nested deeper than the stack allows.
 */
export function canonicalize(value: unknown): string {
  try {
    const form = canonicalForm(value);
    return form === MEMBER_BY_MEMBER ? writeValue(value) : JSON.stringify(form);
  } catch (error) {
    throw tooDeep(error);
  }
}

/**
 * The writers recurse once per level, as JSON.stringify does: a value nested
 * deeper than the stack allows (a crafted record) overflows it. That is bad
 * input, reported like a non-JSON number, not a crash of the caller.
 */
function tooDeep(error: unknown): unknown {
  return error instanceof RangeError ? new TypeError(`JCS: the value is nested too deeply to canonicalize (${error.message})`) : error;
}

/**
 * {@link canonicalize} for an object the caller owns and does not use
 * afterwards (a record being sealed): when its members are already in
 * canonical order it is not copied; members that are not in canonical form
 * are replaced in it by canonical copies.
 */
export function canonicalizeOwned(record: Record<string, unknown>): string {
  try {
    return canonicalizeOwnedRecord(record);
  } catch (error) {
    throw tooDeep(error);
  }
}

function canonicalizeOwnedRecord(record: Record<string, unknown>): string {
  if (!membersInOrder(record)) return canonicalize(record);
  for (const key in record) {
    const member = record[key];
    if (member === undefined) continue;
    const form = canonicalForm(member);
    // What has been replaced so far has the same canonical text.
    if (form === MEMBER_BY_MEMBER) return writeValue(record);
    if (form !== member) record[key] = form;
  }
  return JSON.stringify(record);
}
