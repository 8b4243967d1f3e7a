/**
 * Option checks shared by the exporters. Each throws a `TypeError` that names
 * the exporter and the option, so a bad configuration fails at construction,
 * never when an event is exported.
 */

/** A short, safe rendering of a rejected value for an error message. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/** The options argument itself: `undefined` means "all defaults". */
export function optionsObject<T extends object>(owner: string, options: T | undefined): Partial<T> {
  if (options === undefined) return {};
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(`${owner}: options must be an object, got ${describeValue(options)}`);
  }
  return options;
}

export function positiveInteger(owner: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`${owner}: "${name}" must be a positive integer, got ${describeValue(value)}`);
  }
  return value;
}

export function positiveFiniteNumber(owner: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`${owner}: "${name}" must be a positive finite number, got ${describeValue(value)}`);
  }
  return value;
}

export function optionalBoolean(owner: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    throw new TypeError(`${owner}: "${name}" must be a boolean, got ${describeValue(value)}`);
  }
  return value;
}

export function optionalFunction<F extends (...args: never[]) => unknown>(
  owner: string,
  name: string,
  value: unknown,
): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "function") {
    throw new TypeError(`${owner}: "${name}" must be a function, got ${describeValue(value)}`);
  }
  return value as F;
}

export function oneOf<const T extends string>(
  owner: string,
  name: string,
  value: unknown,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    const choices = allowed.map((choice) => JSON.stringify(choice)).join(" or ");
    throw new TypeError(`${owner}: "${name}" must be ${choices}, got ${describeValue(value)}`);
  }
  return value as T;
}
