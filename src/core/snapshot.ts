import {
  DEFAULT_SERIALIZE_OPTIONS,
  isRedactedKey,
  isRedactedName,
  resolveSerializeOptions,
  type ResolvedSerializeOptions,
} from "./serialize-options.js";
import type { JsonValue, SerializeOptions } from "./types.js";
import { capString, TRUNCATED_SUFFIX } from "./cap-string.js";
import { collectErrorPaths, withoutPaths } from "./error-paths.js";
import { summarizeHostObject } from "./host-summary.js";

// The same `util.types` and global `Buffer` as `import ... from "node:util"`
// / `"node:buffer"` would give, without their ESM facades: building one reads
// every export of the module, which loads parseArgs, MIMEType and File, about
// a millisecond of a cold import.
const { types } = process.getBuiltinModule("node:util");

export { capString, TRUNCATED_SUFFIX } from "./cap-string.js";
export { SUMMARY_HEADERS } from "./host-summary.js";

export {
  DEFAULT_MAX_NODES,
  DEFAULT_SERIALIZE_OPTIONS,
  MAX_DEPTH_LIMIT,
  resolveSerializeOptions,
  type ResolvedSerializeOptions,
} from "./serialize-options.js";

// The tokens of the "Serializer tokens" table of the public API.

/** Value of a key listed in `redactKeys`, or with a bracket or dot segment listed (`user[password]`). */
export const REDACTED = "[REDACTED]";
/** An object met again on the path from the root to itself. */
export const CIRCULAR = "[Circular]";
/** A container (object, array, Map, Set, Error) at depth `maxDepth`; the root is depth 0. */
export const MAX_DEPTH = "[MaxDepth]";
/** Every value (left unread) after the first `maxNodes` of one snapshot; the values already copied are kept. */
export const MAX_NODES = "[MaxNodes]";
/** Key added to an object cut at `maxKeys` keys; its value is the number of keys left out. */
export const MAX_KEYS_KEY = "[MaxKeys]";
/** A value whose getter or Proxy trap threw. */
export const UNSERIALIZABLE = "[Unserializable]";
/** Prefix of the base64 form of bytes (Buffer, typed arrays, DataView, ArrayBuffer). */
export const BASE64_PREFIX = "base64:";
export const UNSUPPORTED_FUNCTION = "[UnsupportedType:function]";
export const UNSUPPORTED_SYMBOL = "[UnsupportedType:symbol]";

/** `"[UnsupportedType:<name>]"` for a value JSON cannot carry. */
export function unsupportedTypeToken(name: string): string {
  return `[UnsupportedType:${name}]`;
}

/** Last element of an array, Set or pair list cut at `maxKeys` elements. */
export function maxKeysMoreToken(omitted: number): string {
  return `[MaxKeys:${omitted} more]`;
}

type JsonObject = { [key: string]: JsonValue };

// Intrinsics taken once, so user code that patches prototypes (or a subclass
// overriding `size`) cannot run inside the copy or change its shape.
const { defineProperty, getPrototypeOf, keys: ownEnumerableKeys } = Object;
const { ownKeys, getOwnPropertyDescriptor } = Reflect;
const { isProxy } = types;
const { isArray } = Array;
const { isView } = ArrayBuffer;
const ObjectPrototype = Object.prototype;
const dateGetTime = Date.prototype.getTime;
const dateToISOString = Date.prototype.toISOString;
const mapEntries = Map.prototype.entries;
const setValues = Set.prototype.values;
const mapSize = intrinsicGetter(Map.prototype, "size");
const setSize = intrinsicGetter(Set.prototype, "size");
const typedArrayPrototype = getPrototypeOf(Uint8Array.prototype) as object;
const typedArrayBuffer = intrinsicGetter(typedArrayPrototype, "buffer");
const typedArrayByteOffset = intrinsicGetter(typedArrayPrototype, "byteOffset");
const typedArrayByteLength = intrinsicGetter(typedArrayPrototype, "byteLength");
const dataViewBuffer = intrinsicGetter(DataView.prototype, "buffer");
const dataViewByteOffset = intrinsicGetter(DataView.prototype, "byteOffset");
const dataViewByteLength = intrinsicGetter(DataView.prototype, "byteLength");
const arrayBufferByteLength = intrinsicGetter(ArrayBuffer.prototype, "byteLength");
const sharedArrayBufferByteLength =
  typeof SharedArrayBuffer === "function" ? intrinsicGetter(SharedArrayBuffer.prototype, "byteLength") : undefined;

function intrinsicGetter(proto: object, name: string): (this: unknown) => unknown {
  return Object.getOwnPropertyDescriptor(proto, name)!.get!;
}

/**
 * A JSON-safe copy of `value` following the serializer token table: it never
 * throws for any value (hostile getters, Proxies, cycles, huge arrays and
 * strings) and its cost is bounded by the limits, not by the input's size.
 *
 * `options` are validated: an invalid option (a limit that is not a positive
 * integer, a `redactKeys` that is not an array of strings) is a mistake at the
 * call site and throws a `TypeError` naming the field. Code that snapshots
 * repeatedly should resolve the options once with `resolveSerializeOptions`
 * and call `snapshotValue`.
 */
export function snapshot(value: unknown, options?: SerializeOptions): JsonValue {
  return snapshotValue(
    value,
    options === undefined ? DEFAULT_SERIALIZE_OPTIONS : resolveSerializeOptions(options, "snapshot"),
  );
}

// State of the copy in progress. It lives at module level, not in a
// per-call object, so copying a small value allocates nothing but the copy.
// A getter may call snapshot while a copy runs: snapshotObject saves and
// restores this state around each call, and a nested copy uses the path slots
// above the ones its caller reserved.

/**
 * The containers from the root down to the value being copied: the current
 * copy's depth d is slot `pathBase + d`. Slots of finished siblings are stale
 * and simply overwritten; every slot is cleared when its copy ends, so a
 * finished snapshot keeps no input alive.
 */
const path: unknown[] = [];
let pathBase = 0;
/** First slot not reserved by a copy in progress. */
let pathEnd = 0;
/** Values the current copy may still read; at 0 every further value is `MAX_NODES`. */
let nodesLeft = 0;

/**
 * The hot path of `snapshot`: no option checks. `resolved` must come from
 * `resolveSerializeOptions` (or be `DEFAULT_SERIALIZE_OPTIONS`).
 */
export function snapshotValue(value: unknown, resolved: ResolvedSerializeOptions): JsonValue {
  // Kept this small so the engine inlines it into its caller: a primitive
  // costs one type check and the conversion.
  return typeof value === "object" && value !== null ? snapshotObject(value, resolved) : convertPrimitive(value, resolved);
}

function snapshotObject(value: object, resolved: ResolvedSerializeOptions): JsonValue {
  const outerBase = pathBase;
  const outerEnd = pathEnd;
  const outerNodesLeft = nodesLeft;
  pathBase = outerEnd;
  pathEnd = outerEnd + resolved.maxDepth;
  // Filled, never holey: the array stays packed and reads of it stay fast.
  while (path.length < pathEnd) path.push(undefined);
  // The root is the first value read.
  nodesLeft = resolved.maxNodes - 1;
  try {
    return convertGuarded(value, 0, resolved);
  } finally {
    // Written slots form a prefix (a container is entered only inside its parent).
    for (let i = pathBase; i < pathEnd && path[i] !== undefined; i++) path[i] = undefined;
    pathBase = outerBase;
    pathEnd = outerEnd;
    nodesLeft = outerNodesLeft;
  }
}

/** Any value one level below an object. */
function convert(value: unknown, depth: number, o: ResolvedSerializeOptions): JsonValue {
  return typeof value === "object" && value !== null ? convertGuarded(value, depth, o) : convertPrimitive(value, o);
}

/** Anything but a non-null object: never recurses, so it stays small enough to inline everywhere. */
function convertPrimitive(value: unknown, o: ResolvedSerializeOptions): JsonValue {
  switch (typeof value) {
    case "string":
      return value.length > o.maxStringLength ? capString(value, o.maxStringLength) : value;
    case "number":
      // `value === 0` folds -0 into 0; NaN and ±Infinity have no JSON form.
      return Number.isFinite(value) ? (value === 0 ? 0 : value) : null;
    case "boolean":
      return value;
    case "undefined":
      return null;
    case "bigint":
      return capped(value.toString(), o);
    // A JSON body has no form for them: JSON.stringify writes null in an
    // array (and leaves them out of an object, see copyMember).
    case "symbol":
      return o.followToJSON ? null : UNSUPPORTED_SYMBOL;
    case "function":
      return o.followToJSON ? null : UNSUPPORTED_FUNCTION;
    default:
      return null;
  }
}

function capped(text: string, o: ResolvedSerializeOptions): string {
  return text.length > o.maxStringLength ? capString(text, o.maxStringLength) : text;
}

/**
 * Everything that can run user code (Proxy traps, `getPrototypeOf`, key
 * enumeration) happens under this catch, so a hostile object becomes one
 * token instead of an exception. Single property reads have their own catch
 * further down, which keeps the siblings of a throwing getter.
 */
function convertGuarded(source: object, depth: number, o: ResolvedSerializeOptions): JsonValue {
  try {
    return convertObject(source, depth, o);
  } catch {
    return UNSERIALIZABLE;
  }
}

/** Cycle and depth check for a container; on success records it on the path. */
function enter(source: object, depth: number, o: ResolvedSerializeOptions): string | undefined {
  // Only the slots below `depth` are the current path; deeper ones are stale
  // leftovers of finished siblings.
  const base = pathBase;
  const slot = base + depth;
  for (let i = base; i < slot; i++) if (path[i] === source) return CIRCULAR;
  if (depth >= o.maxDepth) return MAX_DEPTH;
  path[slot] = source;
  return undefined;
}

function convertObject(source: object, depth: number, o: ResolvedSerializeOptions): JsonValue {
  if (o.followToJSON) {
    // As JSON.stringify does: the value's toJSON, whose result is copied as
    // it is (its own toJSON is not called again; its members' are).
    const toJSON = (source as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") {
      const json: unknown = toJSON.call(source, "");
      return typeof json === "object" && json !== null ? convertJsonForm(json, depth, o) : convertPrimitive(json, o);
    }
    return convertJsonForm(source, depth, o);
  }
  return convertOwnForm(source, depth, o);
}

/**
 * An object in a JSON body, as JSON.stringify sends it: a Map, a Set, an
 * Error, bytes (but a Buffer, whose toJSON came first) are only their own
 * enumerable properties there (usually `{}`), so the record does not hold
 * what the client never got. Streams and other host objects keep their
 * short tokens.
 */
function convertJsonForm(source: object, depth: number, o: ResolvedSerializeOptions): JsonValue {
  if (isView(source) || types.isAnyArrayBuffer(source) || types.isMap(source) || types.isSet(source) || types.isNativeError(source)) {
    return enter(source, depth, o) ?? copyProperties(source, depth, o);
  }
  return convertOwnForm(source, depth, o);
}

/** An object as the serializer copies it: the token table's rules, without `toJSON`. */
function convertOwnForm(source: object, depth: number, o: ResolvedSerializeOptions): JsonValue {
  if (isArray(source)) return enter(source, depth, o) ?? copyArray(source, depth, o);
  const proto: unknown = getPrototypeOf(source);
  if (proto === ObjectPrototype || proto === null) {
    return enter(source, depth, o) ?? (isProxy(source) || prototypeHasEnumerables() ? copyProperties(source, depth, o) : copyPlainProperties(source, depth, o));
  }
  // Leaves: values with a JSON form of their own (no depth limit applies).
  if (types.isDate(source)) return Number.isNaN(dateGetTime.call(source)) ? null : capped(dateToISOString.call(source), o);
  if (isView(source)) return bytesToken(source, o);
  if (types.isAnyArrayBuffer(source)) return bytesToken(source, o);
  if (types.isBoxedPrimitive(source)) return convertPrimitive(unbox(source), o);
  const host = hostTypeName(source);
  if (host !== undefined) return unsupportedTypeToken(capped(constructorName(source) ?? host, o));
  const summary = summarizeHostObject(source, o, constructorName);
  if (summary !== undefined) return summary;
  // Containers.
  const stop = enter(source, depth, o);
  if (stop !== undefined) return stop;
  if (types.isMap(source)) return copyMap(source as Map<unknown, unknown>, depth, o);
  if (types.isSet(source)) return copySet(source as Set<unknown>, depth, o);
  if (types.isNativeError(source) || source instanceof Error) return copyError(source, o);
  // Any other class instance: its own enumerable string-keyed properties.
  // `toJSON` is not called (but for a JSON body, above): it is user code that
  // may throw, be slow or have side effects on every recorded call, and the
  // one toJSON that matters everywhere (Date) is handled above.
  return copyProperties(source, depth, o);
}

const isRedacted = isRedactedKey;

function put(out: JsonObject, key: string, value: JsonValue, o: ResolvedSerializeOptions): void {
  const name = capped(key, o);
  if (name === "__proto__") {
    // Plain assignment would set the copy's prototype instead of adding a key.
    defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
  } else {
    out[name] = value;
  }
}

/**
 * Takes one value from the node budget; false once it is spent. Every read of
 * a child goes through here first, so a copy reads at most `maxNodes` values
 * and, once they are spent, finishes the containers it is in (at most
 * `maxKeys` tokens each, `maxDepth` deep) without entering any new one.
 */
function spendNode(): boolean {
  if (nodesLeft === 0) return false;
  nodesLeft--;
  return true;
}

function copyProperties(source: object, depth: number, o: ResolvedSerializeOptions): JsonObject {
  let keys: string[];
  let count: number;
  if (isProxy(source)) {
    keys = proxyKeys(source, o.maxKeys);
    count = proxyKeyCount;
  } else {
    keys = ownEnumerableKeys(source);
    count = keys.length;
  }
  const limit = count > o.maxKeys ? o.maxKeys : count;
  const out: JsonObject = {};
  for (let i = 0; i < limit; i++) copyMember(out, source, keys[i]!, depth, o);
  if (count > limit) out[MAX_KEYS_KEY] = count - limit;
  return out;
}

/**
 * `copyProperties` for a plain object (prototype `Object.prototype` or
 * null, not a Proxy) while `Object.prototype` has no enumerable property:
 * `for…in` then visits exactly its own enumerable string keys, in the order
 * `Object.keys` lists them, without building that list (the engine's enum
 * cache serves it). Most captured arguments and results are such objects.
 */
function copyPlainProperties(source: object, depth: number, o: ResolvedSerializeOptions): JsonObject {
  const out: JsonObject = {};
  const maxKeys = o.maxKeys;
  let count = 0;
  for (const key in source) {
    if (count++ < maxKeys) copyMember(out, source, key, depth, o);
  }
  if (count > maxKeys) out[MAX_KEYS_KEY] = count - maxKeys;
  return out;
}

/** True when something made a property of `Object.prototype` enumerable, which `for…in` would visit on every plain object. */
function prototypeHasEnumerables(): boolean {
  for (const _ in ObjectPrototype) return true;
  return false;
}

/** Copies one member of `source` into `out`, following the token table. */
function copyMember(out: JsonObject, source: object, key: string, depth: number, o: ResolvedSerializeOptions): void {
  if (isRedacted(key, o)) {
    // Not even read: a getter behind a secret's name may be the secret.
    put(out, key, REDACTED, o);
    return;
  }
  if (!spendNode()) {
    put(out, key, MAX_NODES, o);
    return;
  }
  let child: unknown;
  try {
    child = (source as Record<string, unknown>)[key];
  } catch {
    put(out, key, UNSERIALIZABLE, o);
    return;
  }
  if (child === undefined) return;
  // JSON.stringify leaves a function or symbol member out of a JSON body.
  if (o.followToJSON && (typeof child === "function" || typeof child === "symbol")) return;
  put(out, key, convert(child, depth + 1, o), o);
}

/** Set by `proxyKeys`: the key count to report for the Proxy it listed. */
let proxyKeyCount = 0;

/**
 * The first `maxKeys` enumerable string keys of a Proxy. `Object.keys` would
 * call the `getOwnPropertyDescriptor` trap once for every key the `ownKeys`
 * trap lists (a million calls for a million keys); this asks only until
 * `maxKeys` enumerable keys are found. The keys after them are counted
 * without asking, so a Proxy's `"[MaxKeys]"` counts its remaining own string
 * keys, enumerable or not.
 */
function proxyKeys(source: object, maxKeys: number): string[] {
  const listed = ownKeys(source);
  const keys: string[] = [];
  let i = 0;
  for (; i < listed.length && keys.length < maxKeys; i++) {
    const key = listed[i];
    if (typeof key !== "string") continue;
    if (getOwnPropertyDescriptor(source, key)?.enumerable === true) keys.push(key);
  }
  let rest = 0;
  for (; i < listed.length; i++) if (typeof listed[i] === "string") rest++;
  proxyKeyCount = keys.length + rest;
  return keys;
}

/** A usable element count from a `length` a Proxy may have faked. */
function lengthOf(raw: unknown): number {
  return typeof raw === "number" && raw > 0 ? Math.floor(Math.min(raw, Number.MAX_SAFE_INTEGER)) : 0;
}

function copyArray(source: unknown[], depth: number, o: ResolvedSerializeOptions): JsonValue[] {
  const length = lengthOf(source.length);
  // Holes read as undefined and become null, so a sparse array of length 1e9
  // costs maxKeys reads like any other.
  const limit = length > o.maxKeys ? o.maxKeys : length;
  const out: JsonValue[] = [];
  // A flat [name, value, …] header list (`req.rawHeaders`): the element after
  // a redacted name at an even position is redacted, unread.
  const pairsMayHideSecrets = o.redactKeyMaxLength >= 0;
  for (let i = 0; i < limit; i++) {
    if (!spendNode()) {
      out.push(MAX_NODES);
      continue;
    }
    let child: unknown;
    try {
      child = source[i];
    } catch {
      out.push(UNSERIALIZABLE);
      continue;
    }
    out.push(convert(child, depth + 1, o));
    if (pairsMayHideSecrets && (i & 1) === 0 && typeof child === "string" && isRedactedName(child, o) && i + 1 < limit) {
      out.push(REDACTED);
      i++;
    }
  }
  if (length > limit) out.push(maxKeysMoreToken(length - limit));
  return out;
}

function copyMap(source: Map<unknown, unknown>, depth: number, o: ResolvedSerializeOptions): JsonValue {
  const size = mapSize.call(source) as number;
  const limit = size > o.maxKeys ? o.maxKeys : size;
  const entries = mapEntries.call(source) as IterableIterator<[unknown, unknown]>;
  const taken: [unknown, unknown][] = [];
  let namedKeys = true;
  for (let i = 0; i < limit; i++) {
    const step = entries.next();
    if (step.done === true) break;
    const keyType = typeof step.value[0];
    if (keyType !== "string" && keyType !== "number") namedKeys = false;
    taken.push(step.value);
  }
  const omitted = size - taken.length;
  if (namedKeys) {
    const out: JsonObject = {};
    for (const [key, value] of taken) {
      const name = typeof key === "string" ? key : String(key);
      if (isRedacted(name, o)) put(out, name, REDACTED, o);
      else if (!spendNode()) put(out, name, MAX_NODES, o);
      else if (value !== undefined) put(out, name, convert(value, depth + 1, o), o);
    }
    if (omitted > 0) out[MAX_KEYS_KEY] = omitted;
    return out;
  }
  // Each [key, value] pair is a container one level down, and a value of the
  // node budget like its key and its value.
  const pairDepth = depth + 1;
  const out: JsonValue[] = [];
  if (pairDepth < o.maxDepth) path[pathBase + pairDepth] = source;
  for (const [key, value] of taken) {
    if (!spendNode()) out.push(MAX_NODES);
    else if (pairDepth >= o.maxDepth) out.push(MAX_DEPTH);
    else {
      const redact = typeof key === "string" && isRedacted(key, o);
      const keyCopy = spendNode() ? convert(key, pairDepth + 1, o) : MAX_NODES;
      out.push([keyCopy, redact ? REDACTED : spendNode() ? convert(value, pairDepth + 1, o) : MAX_NODES]);
    }
  }
  if (omitted > 0) out.push(maxKeysMoreToken(omitted));
  return out;
}

function copySet(source: Set<unknown>, depth: number, o: ResolvedSerializeOptions): JsonValue[] {
  const size = setSize.call(source) as number;
  const limit = size > o.maxKeys ? o.maxKeys : size;
  const values = setValues.call(source) as IterableIterator<unknown>;
  const out: JsonValue[] = [];
  for (let i = 0; i < limit; i++) {
    const step = values.next();
    if (step.done === true) break;
    out.push(spendNode() ? convert(step.value, depth + 1, o) : MAX_NODES);
  }
  if (size > out.length) out.push(maxKeysMoreToken(size - out.length));
  return out;
}

function readString(source: object, key: string): string | undefined {
  try {
    const value = (source as Record<string, unknown>)[key];
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

function copyError(source: object, o: ResolvedSerializeOptions): JsonObject {
  const out: JsonObject = {};
  put(out, "name", isRedacted("name", o) ? REDACTED : capped(readString(source, "name") ?? "Error", o), o);
  put(out, "message", isRedacted("message", o) ? REDACTED : capped(messageWithoutPaths(source), o), o);
  const code = readString(source, "code");
  if (code !== undefined) put(out, "code", isRedacted("code", o) ? REDACTED : capped(code, o), o);
  return out;
}

/** As in an error record: the file paths a system error names become `"[Path]"`. */
function messageWithoutPaths(source: object): string {
  const message = readString(source, "message") ?? "";
  const paths: string[] = [];
  collectErrorPaths(source, paths);
  return withoutPaths(message, paths);
}

function bytesToken(source: object, o: ResolvedSerializeOptions): string {
  let buffer: ArrayBufferLike;
  let offset = 0;
  let length: number;
  if (types.isDataView(source)) {
    buffer = dataViewBuffer.call(source) as ArrayBufferLike;
    offset = dataViewByteOffset.call(source) as number;
    length = dataViewByteLength.call(source) as number;
  } else if (isView(source)) {
    buffer = typedArrayBuffer.call(source) as ArrayBufferLike;
    offset = typedArrayByteOffset.call(source) as number;
    length = typedArrayByteLength.call(source) as number;
  } else {
    buffer = source as ArrayBufferLike;
    length = (types.isSharedArrayBuffer(source) ? sharedArrayBufferByteLength! : arrayBufferByteLength).call(source) as number;
  }
  // Encode only what can show: base64 of this many bytes is already longer
  // than maxStringLength, so a capped encoding always ends in the truncation
  // marker and the cost never depends on the buffer's size.
  const cap = Math.floor(o.maxStringLength / 4) * 3 + 3;
  const count = length > cap ? cap : length;
  const text = BASE64_PREFIX + (count === 0 ? "" : Buffer.from(buffer, offset, count).toString("base64"));
  return capped(text, o);
}

function unbox(source: object): unknown {
  if (types.isStringObject(source)) return String.prototype.valueOf.call(source);
  if (types.isNumberObject(source)) return Number.prototype.valueOf.call(source);
  if (types.isBooleanObject(source)) return Boolean.prototype.valueOf.call(source);
  if (types.isBigIntObject(source)) return BigInt.prototype.valueOf.call(source);
  return Symbol.prototype.valueOf.call(source);
}

/** Objects whose state lives in internal slots no copy can read. */
function hostTypeName(source: object): string | undefined {
  if (types.isPromise(source)) return "Promise";
  if (types.isWeakMap(source)) return "WeakMap";
  if (types.isWeakSet(source)) return "WeakSet";
  if (types.isRegExp(source)) return "RegExp";
  if (types.isGeneratorObject(source)) return "Generator";
  if (types.isMapIterator(source)) return "MapIterator";
  if (types.isSetIterator(source)) return "SetIterator";
  if (types.isExternal(source)) return "External";
  if (source instanceof WeakRef) return "WeakRef";
  if (source instanceof FinalizationRegistry) return "FinalizationRegistry";
  return undefined;
}

function constructorName(source: object): string | undefined {
  try {
    const ctor = (source as { constructor?: unknown }).constructor;
    const name = typeof ctor === "function" ? (ctor as { name?: unknown }).name : undefined;
    // Built-in iterators inherit Object's constructor (Node 20) or the global
    // Iterator (Node 22+); their brand ("MapIterator") says more.
    return typeof name === "string" && name !== "" && name !== "Object" && name !== "Iterator" ? name : undefined;
  } catch {
    return undefined;
  }
}

