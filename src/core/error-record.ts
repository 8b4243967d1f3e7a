import { capString } from "./cap-string.js";
import { collectErrorPaths, withoutPaths } from "./error-paths.js";
import { ErrorRecord } from "./event-objects.js";
import type { ExecutionError } from "./types.js";

/** Name used when a thrown value carries no usable name of its own. */
const FALLBACK_ERROR_NAME = "Error";

function readProperty(target: object, key: string): unknown {
  try {
    return (target as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return "[Unserializable]";
  }
}

// String(array) joins every element: a thrown sparse array of length 1e9
// would block the event loop for tens of seconds before failing. This joins
// the way String does, but stops once `maxLength` characters are reached.
function boundedArrayString(array: readonly unknown[], maxLength: number, depth: number): string {
  let text = "";
  const rawLength = readProperty(array, "length");
  const length = typeof rawLength === "number" ? rawLength : 0;
  for (let i = 0; i < length && text.length <= maxLength; i++) {
    if (i > 0) text += ",";
    const item = readProperty(array, String(i));
    if (item === null || item === undefined) continue;
    text += isArray(item) ? (depth < 8 ? boundedArrayString(item, maxLength - text.length, depth + 1) : "") : safeString(item);
  }
  return text;
}

function isArray(value: unknown): value is unknown[] {
  try {
    return Array.isArray(value);
  } catch {
    return false; // a revoked Proxy
  }
}

function thrownValueString(thrown: unknown, maxLength: number): string {
  return capString(isArray(thrown) ? boundedArrayString(thrown, maxLength, 0) : safeString(thrown), maxLength);
}

function constructorName(target: object): string | undefined {
  try {
    const name = (target.constructor as { name?: unknown } | undefined)?.name;
    return typeof name === "string" && name !== "" && name !== "Object" ? name : undefined;
  } catch {
    return undefined;
  }
}

function isErrorLike(thrown: object): boolean {
  try {
    // instanceof runs a Proxy's getPrototypeOf trap, which may throw.
    return thrown instanceof Error || typeof readProperty(thrown, "message") === "string";
  } catch {
    return false;
  }
}

/**
 * Maps anything a call threw to the spec's `error` object. Hostile values
 * (throwing getters, revoked proxies) degrade to safe strings: this runs
 * inside the caller's failure path and must never throw itself.
 *
 * Every string of the record (`name`, `message`, `stack`, `code`, and the
 * same fields of `cause`) is capped at `maxStringLength` characters plus
 * `"[Truncated]"`, and a capped string is its own copy: it never keeps the
 * thrown value's long message or stack alive.
 *
 * The file paths a Node system error names (its `path`, `dest`) are
 * replaced by `"[Path]"` in `message` and `stack`, before capping. The paths
 * of the error and of its cause are replaced in both, since a wrapping error
 * often quotes its cause's path in its own message.
 */
export function toExecutionError(
  thrown: unknown,
  includeStack: boolean,
  maxStringLength: number,
  withCause = true,
): ExecutionError {
  if (!isErrorLikeValue(thrown)) return fallbackRecord(thrown, maxStringLength);
  const cause = withCause ? readProperty(thrown, "cause") : undefined;
  const paths: string[] = [];
  collectErrorPaths(thrown, paths);
  collectErrorPaths(cause, paths);
  const record = errorRecord(thrown, includeStack, maxStringLength, paths);
  // The spec nests one level of cause; deeper chains are summarised by that level.
  if (cause !== undefined) {
    record.cause = isErrorLikeValue(cause) ? errorRecord(cause, includeStack, maxStringLength, paths) : fallbackRecord(cause, maxStringLength);
  }
  return record;
}

/** A thrown value that is not an error: its string form as the message. */
function fallbackRecord(thrown: unknown, maxStringLength: number): ExecutionError {
  return new ErrorRecord(FALLBACK_ERROR_NAME, thrownValueString(thrown, maxStringLength), null);
}

function isErrorLikeValue(value: unknown): value is object {
  return value !== null && (typeof value === "object" || typeof value === "function") && isErrorLike(value);
}

function errorRecord(thrown: object, includeStack: boolean, maxStringLength: number, paths: readonly string[]): ExecutionError {
  const rawName = readProperty(thrown, "name");
  const rawMessage = readProperty(thrown, "message");
  const rawStack = includeStack ? readProperty(thrown, "stack") : undefined;
  const rawCode = readProperty(thrown, "code");
  const name = typeof rawName === "string" && rawName !== "" ? rawName : (constructorName(thrown) ?? FALLBACK_ERROR_NAME);
  const message = typeof rawMessage === "string" ? rawMessage : rawMessage === undefined ? "" : safeString(rawMessage);
  const record = new ErrorRecord(
    capString(name, maxStringLength),
    capString(withoutPaths(message, paths), maxStringLength),
    typeof rawStack === "string" ? capString(withoutPaths(rawStack, paths), maxStringLength) : null,
  );
  if (typeof rawCode === "string") record.code = capString(rawCode, maxStringLength);
  else if (typeof rawCode === "number" || typeof rawCode === "bigint") record.code = capString(String(rawCode), maxStringLength);
  return record;
}
