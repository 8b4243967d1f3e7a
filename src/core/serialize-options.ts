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

/** Whether values under `key` are redacted: case-insensitive, and no lower-casing for keys longer than any redact key. */
export function isRedactedKey(key: string, o: ResolvedSerializeOptions): boolean {
  return key.length <= o.redactKeyMaxLength && o.redactSet.has(key.toLowerCase());
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
  }
  return Object.freeze(merged);
}
