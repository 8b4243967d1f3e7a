/**
 * The one validation toolkit for every options object in the package (client
 * config, wrap options, serializer limits, exporters, middleware, Nest module).
 *
 * Every failure is a TypeError of the same shape, raised at configuration
 * time: `<owner>: "<field path>" <rule>, got <value>`, or
 * `<owner>: unknown field "<name>" (did you mean "<known>"?)`.
 */
import { suggestField } from "./suggest-field.js";

/** setTimeout stores delays in a signed 32-bit integer; anything larger fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A short, safe rendering of a rejected value for an error message (never a whole secret). */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return describeType(value);
}

/** A value's kind for an error message, without the value (which may be a secret): "an object", "a MemoryExporter", … */
export function describeType(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "an array";
  if (typeof value !== "object") return `a ${typeof value}`;
  try {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) return "an object";
    const name: unknown = (proto as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === "string" && name !== "" ? `a ${name}` : "an object";
  } catch {
    // A Proxy whose traps throw: the message must still be the TypeError it explains.
    return "an object";
  }
}

export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Throws the toolkit's TypeError for `owner` and `field`. */
export function optionError(owner: string, field: string, rule: string, value?: unknown, withValue = true): TypeError {
  return new TypeError(`${owner}: "${field}" ${rule}${withValue ? `, got ${describeValue(value)}` : ""}`);
}

/**
 * Reads one options object. Construct it with the fields the owner knows:
 * unknown fields are rejected at once, with the nearest known one suggested.
 * `path` prefixes field names for nested objects (`correlation.headerName`).
 */
export class OptionsReader {
  readonly values: Readonly<Record<string, unknown>>;

  constructor(
    readonly owner: string,
    options: unknown,
    known: readonly string[],
    private readonly path = "",
  ) {
    if (options === undefined || options === null) {
      this.values = {};
    } else if (!isPlainRecord(options)) {
      const what = path === "" ? "options" : `"${path.slice(0, -1)}"`;
      throw new TypeError(`${owner}: ${what} must be an object, got ${describeValue(options)}`);
    } else {
      this.values = options;
    }
    for (const key of Object.keys(this.values)) {
      if (known.includes(key)) continue;
      const near = suggestField(key, known);
      const hint = near === undefined ? "" : ` (did you mean "${this.path}${near}"?)`;
      throw new TypeError(`${owner}: unknown field "${this.path}${key}"${hint}`);
    }
  }

  /** The full name of `field` as the user wrote it, for messages. */
  fieldName(field: string): string {
    return `${this.path}${field}`;
  }

  fail(field: string, rule: string, withValue = true): never {
    throw optionError(this.owner, this.fieldName(field), rule, this.values[field], withValue);
  }

  has(field: string): boolean {
    return this.values[field] !== undefined;
  }

  raw(field: string): unknown {
    return this.values[field];
  }

  /** A nested options object, read with its own known fields. */
  nested(field: string, known: readonly string[]): OptionsReader {
    return new OptionsReader(this.owner, this.values[field], known, `${this.path}${field}.`);
  }

  boolean(field: string): boolean | undefined;
  boolean(field: string, fallback: boolean): boolean;
  boolean(field: string, fallback?: boolean): boolean | undefined {
    const value = this.values[field];
    if (value === undefined) return fallback;
    if (typeof value !== "boolean") this.fail(field, "must be a boolean");
    return value;
  }

  /** A non-empty string, trimmed. */
  text(field: string): string | undefined;
  text(field: string, fallback: string): string;
  text(field: string, fallback?: string): string | undefined {
    const value = this.values[field];
    if (value === undefined) return fallback;
    if (typeof value !== "string" || value.trim() === "") this.fail(field, "must be a non-empty string");
    return value.trim();
  }

  positiveInteger(field: string): number | undefined;
  positiveInteger(field: string, fallback: number): number;
  positiveInteger(field: string, fallback?: number): number | undefined {
    const value = this.values[field];
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
      this.fail(field, "must be a positive integer");
    }
    return value;
  }

  nonNegativeInteger(field: string): number | undefined;
  nonNegativeInteger(field: string, fallback: number): number;
  nonNegativeInteger(field: string, fallback?: number): number | undefined {
    const value = this.values[field];
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
      this.fail(field, "must be an integer >= 0");
    }
    return value;
  }

  /** A number in `[min, max]` (finite). */
  numberInRange(field: string, min: number, max: number): number | undefined;
  numberInRange(field: string, min: number, max: number, fallback: number): number;
  numberInRange(field: string, min: number, max: number, fallback?: number): number | undefined {
    const value = this.values[field];
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
      this.fail(field, `must be a number from ${min} to ${max}`);
    }
    return value;
  }

  /**
   * A timer delay in milliseconds: positive, finite and at most 2^31-1, since
   * Node turns larger delays into 1 ms timers. `allowZero` for "no limit" forms.
   */
  timeoutMs(field: string, options?: { allowZero?: boolean }): number | undefined;
  timeoutMs(field: string, options: { allowZero?: boolean } | undefined, fallback: number): number;
  timeoutMs(field: string, options?: { allowZero?: boolean }, fallback?: number): number | undefined {
    const value = this.values[field];
    if (value === undefined) return fallback;
    const min = options?.allowZero ? 0 : Number.MIN_VALUE;
    if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > MAX_TIMER_MS) {
      const lower = options?.allowZero ? "from 0" : "greater than 0 and";
      this.fail(field, `must be a number of milliseconds ${lower} at most ${MAX_TIMER_MS} (2^31-1)`);
    }
    return value;
  }

  function<F extends (...args: never[]) => unknown>(field: string): F | undefined {
    const value = this.values[field];
    if (value === undefined) return undefined;
    if (typeof value !== "function") this.fail(field, "must be a function");
    return value as F;
  }

  booleanOrFunction<F extends (...args: never[]) => unknown>(field: string): boolean | F | undefined {
    const value = this.values[field];
    if (value === undefined || typeof value === "boolean" || typeof value === "function") {
      return value as boolean | F | undefined;
    }
    this.fail(field, "must be a boolean or a function");
  }

  oneOf<const T extends string>(field: string, allowed: readonly T[]): T | undefined;
  oneOf<const T extends string>(field: string, allowed: readonly T[], fallback: T): T;
  oneOf<const T extends string>(field: string, allowed: readonly T[], fallback?: T): T | undefined {
    const value = this.values[field];
    if (value === undefined) return fallback;
    if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
      this.fail(field, `must be ${allowed.map((choice) => JSON.stringify(choice)).join(" or ")}`);
    }
    return value as T;
  }

  /** An array, each element checked by `item` (which receives the element's full field name). */
  array<T>(field: string, item: (value: unknown, name: string) => T): T[] | undefined {
    const value = this.values[field];
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) this.fail(field, "must be an array");
    return value.map((element, index) => item(element, `${this.fieldName(field)}[${index}]`));
  }

  /** A record of string values (HTTP headers, for example). */
  stringRecord(field: string): Record<string, string> | undefined {
    const value = this.values[field];
    if (value === undefined) return undefined;
    if (!isPlainRecord(value)) this.fail(field, "must be an object of strings");
    const copy: Record<string, string> = {};
    for (const [key, entry] of Object.entries(value)) {
      if (typeof entry !== "string") {
        throw optionError(this.owner, `${this.fieldName(field)}.${key}`, "must be a string", entry);
      }
      copy[key] = entry;
    }
    return copy;
  }

  /** An instance of `type` (a client, a KeyObject, …), described by `what` in the message. */
  instanceOf<T>(field: string, type: abstract new (...args: never[]) => T, what: string): T | undefined {
    const value = this.values[field];
    if (value === undefined) return undefined;
    if (!(value instanceof type)) this.fail(field, `must be ${what}`);
    return value;
  }
}
