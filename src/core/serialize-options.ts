import { describeType, OptionsReader } from "./options/options-reader.js";
import type { SerializeOptions } from "./types.js";

/**
 * Serializer limits after validation, merged and ready for the hot path.
 * Build one with `resolveSerializeOptions` (at configuration time) and hand it
 * to `snapshotValue` on every call.
 */
export interface ResolvedSerializeOptions {
  readonly maxDepth: number;
  readonly maxKeys: number;
  readonly maxStringLength: number;
  readonly maxNodes: number;
  /** The keys as given (base first, then the newer ones), without duplicates. */
  readonly redactKeys: readonly string[];
  /** `redactKeys` lower-cased, for case-insensitive matching. */
  readonly redactSet: ReadonlySet<string>;
  /**
   * Length of the longest entry of `redactSet` (-1 when it is empty): longer
   * keys are never lower-cased to be looked up, and with no redact keys every
   * key skips the lookup on this one comparison.
   */
  readonly redactKeyMaxLength: number;
  /**
   * Verdicts of `isRedactedKey` for short keys, made with `redactSet` and
   * shared only by options with that same set; `undefined` exactly when
   * the set is empty. Recorded values repeat the same few key names call after call,
   * so a lookup here replaces lower-casing the key and scanning it for
   * segments.
   */
  readonly redactVerdicts: Map<string, boolean> | undefined;
  /**
   * Call a value's `toJSON`, as `JSON.stringify` does. Off everywhere but for
   * a body an HTTP framework encodes as JSON (see {@link asJsonBody}): there
   * the record is then what the client got, without the fields a class's
   * `toJSON` leaves out.
   */
  readonly followToJSON: boolean;
}

/**
 * Upper bound for `maxDepth`. The copy recurses once per level, and so does
 * every JSON encoder after it (V8's `JSON.stringify` overflows the stack a few
 * thousand levels down), so deeper limits would only move the failure.
 */
export const MAX_DEPTH_LIMIT = 1000;

const NO_REDACT_KEYS: readonly string[] = Object.freeze([]);

/**
 * Default `maxNodes`. `maxKeys` and `maxDepth` bound one level each, so alone
 * they allow maxKeys^maxDepth reads (a DAG reusing one object at every level
 * is copied once per path). Ten thousand values is about ten times a full
 * `maxKeys`-wide object: a page of a few hundred records or any ordinary
 * request body passes whole, while the worst case stays near a millisecond of
 * copying and a record of a few hundred kilobytes.
 */
export const DEFAULT_MAX_NODES = 10_000;

/** Spec defaults: depth 32, 1000 keys per object or array, 65536 characters per string, 10000 values per snapshot, nothing redacted. */
export const DEFAULT_SERIALIZE_OPTIONS: ResolvedSerializeOptions = Object.freeze({
  maxDepth: 32,
  maxKeys: 1000,
  maxStringLength: 65536,
  maxNodes: DEFAULT_MAX_NODES,
  redactKeys: NO_REDACT_KEYS,
  redactSet: new Set<string>(),
  redactKeyMaxLength: -1,
  redactVerdicts: undefined,
  followToJSON: false,
});

const jsonBodyOptions = new WeakMap<ResolvedSerializeOptions, ResolvedSerializeOptions>();

/** `o` for a body a framework encodes with `JSON.stringify` (`followToJSON` on), made once per options object. */
export function asJsonBody(o: ResolvedSerializeOptions): ResolvedSerializeOptions {
  let json = jsonBodyOptions.get(o);
  if (json === undefined) {
    json = Object.freeze({ ...o, followToJSON: true });
    jsonBodyOptions.set(o, json);
  }
  return json;
}

/**
 * Whether values under the object or Map key `key` are redacted: the whole
 * key, or any of its segments in bracket or dot notation (`user[password]`,
 * `items[0][token]`, `tags[]`, `db.password`), is listed in `redactKeys`,
 * case-insensitively.
 */
export function isRedactedKey(key: string, o: ResolvedSerializeOptions): boolean {
  // Small enough to inline: with nothing to redact, a key costs one check.
  const verdicts = o.redactVerdicts;
  return verdicts !== undefined && redactVerdict(key, verdicts, o);
}

function redactVerdict(key: string, verdicts: Map<string, boolean>, o: ResolvedSerializeOptions): boolean {
  // Long keys are not kept: they would pin memory and cost a full hash per lookup.
  if (key.length > VERDICT_KEY_MAX_LENGTH) return matchesRedactKey(key, o);
  let verdict = verdicts.get(key);
  if (verdict === undefined) {
    verdict = matchesRedactKey(key, o);
    // Bounded: keys an attacker invents only ever cost the uncached check.
    if (verdicts.size >= VERDICT_MAX_ENTRIES) verdicts.clear();
    verdicts.set(key, verdict);
  }
  return verdict;
}

const VERDICT_KEY_MAX_LENGTH = 64;
const VERDICT_MAX_ENTRIES = 512;

function matchesRedactKey(key: string, o: ResolvedSerializeOptions): boolean {
  const max = o.redactKeyMaxLength;
  if (key.length <= max && o.redactSet.has(key.toLowerCase())) return true;
  // Such flat keys name a nested field: Express 5's default query parser
  // keeps `?user[password]=` as one key, a Mongo update sets
  // `"credentials.password"`. Only keys with one of the marks are split.
  return max >= 0 && (key.indexOf("[") !== -1 || key.indexOf(".") !== -1) && hasRedactedSegment(key, o);
}

/**
 * Whether `name` itself is listed in `redactKeys`, case-insensitively, with
 * no lower-casing for names longer than any redact key: for header names,
 * which have no nesting notation (`[` is not allowed in one), and for the
 * strings of a flat `[name, value, …]` array, where every other value of any
 * array is checked and a dotted sentence must not cost a scan.
 */
export function isRedactedName(name: string, o: ResolvedSerializeOptions): boolean {
  return name.length <= o.redactKeyMaxLength && o.redactSet.has(name.toLowerCase());
}

const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const DOT = 0x2e;

function hasRedactedSegment(key: string, o: ResolvedSerializeOptions): boolean {
  const max = o.redactKeyMaxLength;
  const set = o.redactSet;
  const lower = key.toLowerCase();
  const length = lower.length;
  let start = 0;
  for (let i = 0; i <= length; i++) {
    const code = i < length ? lower.charCodeAt(i) : DOT;
    if (code !== OPEN_BRACKET && code !== CLOSE_BRACKET && code !== DOT) continue;
    const size = i - start;
    // A segment longer than every redact key is never sliced.
    if (size > 0 && size <= max && set.has(lower.slice(start, i))) return true;
    start = i + 1;
  }
  return false;
}

/** The option fields of `SerializeOptions`, for owners that read them inside a larger options object. */
export const SERIALIZE_OPTION_FIELDS = ["maxDepth", "maxKeys", "maxStringLength", "maxNodes", "redactKeys"] as const;

/**
 * Validates `options` and merges them over `base` (default: the spec
 * defaults). `owner` names the caller in messages. Throws the toolkit's
 * `TypeError` for an unknown field, a limit (`maxDepth`, `maxKeys`,
 * `maxStringLength`, `maxNodes`) that is not a positive integer (`maxDepth`
 * also at most `MAX_DEPTH_LIMIT`) or a `redactKeys` that is not an array of
 * strings. Fields that are `undefined` keep the base value.
 *
 * `redactKeys` accumulate: the result redacts the base keys and the new ones,
 * so a narrower list on one wrap can never un-redact what the client redacts.
 */
export function resolveSerializeOptions(
  options: SerializeOptions | undefined,
  owner: string,
  base: ResolvedSerializeOptions = DEFAULT_SERIALIZE_OPTIONS,
): ResolvedSerializeOptions {
  if (options === undefined) return base;
  // `snapshot(value, null)` is a mistake, not "no options" (the reader would take it as none).
  if (options === null) throw new TypeError(`${owner}: options must be an object, got null`);
  return readSerializeOptions(new OptionsReader(owner, options, SERIALIZE_OPTION_FIELDS), base);
}

/**
 * Reads the serializer fields from `reader` (which may know more fields, e.g.
 * a whole `WrapOptions`) and merges them over `base`.
 */
export function readSerializeOptions(
  reader: OptionsReader,
  base: ResolvedSerializeOptions = DEFAULT_SERIALIZE_OPTIONS,
): ResolvedSerializeOptions {
  const maxDepth = reader.positiveInteger("maxDepth", base.maxDepth);
  if (maxDepth > MAX_DEPTH_LIMIT) reader.fail("maxDepth", `must be a positive integer at most ${MAX_DEPTH_LIMIT}`);
  if (reader.has("redactKeys") && !Array.isArray(reader.raw("redactKeys"))) {
    reader.fail("redactKeys", "must be an array of strings");
  }
  // Only the type of a bad entry is reported: a redact list names secrets.
  const added = reader.array("redactKeys", (key, name) => {
    if (typeof key !== "string") throw new TypeError(`${reader.owner}: "${name}" must be a string, got ${describeType(key)}`);
    return key;
  });
  const merged = {
    maxDepth,
    maxKeys: reader.positiveInteger("maxKeys", base.maxKeys),
    maxStringLength: reader.positiveInteger("maxStringLength", base.maxStringLength),
    maxNodes: reader.positiveInteger("maxNodes", base.maxNodes),
    redactKeys: base.redactKeys,
    redactSet: base.redactSet,
    redactKeyMaxLength: base.redactKeyMaxLength,
    redactVerdicts: base.redactVerdicts,
    followToJSON: base.followToJSON,
  };
  if (added !== undefined && added.length > 0) {
    const keys = new Set(base.redactKeys);
    for (const key of added) keys.add(key);
    const lowered = new Set<string>();
    let longest = -1;
    for (const key of keys) {
      const lower = key.toLowerCase();
      lowered.add(lower);
      // Lower-casing never shortens a string, so no key longer than this can match.
      if (lower.length > longest) longest = lower.length;
    }
    merged.redactKeys = Object.freeze([...keys]);
    merged.redactSet = lowered;
    merged.redactKeyMaxLength = longest;
    merged.redactVerdicts = new Map<string, boolean>();
  }
  return Object.freeze(merged);
}
