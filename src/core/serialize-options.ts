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
});

function describe(value: unknown): string {
  if (typeof value === "number") return String(value);
  if (value === null) return "null";
  return typeof value;
}

function positiveInteger(value: unknown, field: string, where: string, max?: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new TypeError(`${where}: "${field}" must be a positive integer (got ${describe(value)})`);
  }
  if (max !== undefined && value > max) {
    throw new TypeError(`${where}: "${field}" must be a positive integer no greater than ${max} (got ${value})`);
  }
  return value;
}

function redactKeyList(value: unknown, where: string): readonly string[] {
  if (!Array.isArray(value)) {
    throw new TypeError(`${where}: "redactKeys" must be an array of strings (got ${describe(value)})`);
  }
  for (let i = 0; i < value.length; i++) {
    // Only the type is reported: a redact list names secrets, not their values, but stays out of messages anyway.
    if (typeof value[i] !== "string") {
      throw new TypeError(`${where}: "redactKeys[${i}]" must be a string (got ${describe(value[i])})`);
    }
  }
  return value as string[];
}

/**
 * Validates `options` and merges them over `base` (default: the spec
 * defaults). Throws a `TypeError` naming the field, prefixed with `where`, for
 * a limit (`maxDepth`, `maxKeys`, `maxStringLength`, `maxNodes`) that is not
 * a positive integer (`maxDepth` also at most `MAX_DEPTH_LIMIT`) or a
 * `redactKeys` that is not an array of strings.
 * Fields that are `undefined` keep the base value; other fields of `options`
 * (e.g. the rest of a `WrapOptions`) are ignored.
 *
 * `redactKeys` accumulate: the result redacts the base keys and the new ones,
 * so a narrower list on one wrap can never un-redact what the client redacts.
 */
export function resolveSerializeOptions(
  options: SerializeOptions | undefined,
  where: string,
  base: ResolvedSerializeOptions = DEFAULT_SERIALIZE_OPTIONS,
): ResolvedSerializeOptions {
  if (options === undefined) return base;
  if (options === null || typeof options !== "object") {
    throw new TypeError(`${where}: serialize options must be an object (got ${describe(options)})`);
  }
  const { maxDepth, maxKeys, maxStringLength, maxNodes, redactKeys } = options;
  const merged = {
    maxDepth: maxDepth === undefined ? base.maxDepth : positiveInteger(maxDepth, "maxDepth", where, MAX_DEPTH_LIMIT),
    maxKeys: maxKeys === undefined ? base.maxKeys : positiveInteger(maxKeys, "maxKeys", where),
    maxStringLength:
      maxStringLength === undefined ? base.maxStringLength : positiveInteger(maxStringLength, "maxStringLength", where),
    maxNodes: maxNodes === undefined ? base.maxNodes : positiveInteger(maxNodes, "maxNodes", where),
    redactKeys: base.redactKeys,
    redactSet: base.redactSet,
    redactKeyMaxLength: base.redactKeyMaxLength,
  };
  if (redactKeys !== undefined) {
    const added = redactKeyList(redactKeys, where);
    if (added.length > 0) {
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
  }
  return Object.freeze(merged);
}
