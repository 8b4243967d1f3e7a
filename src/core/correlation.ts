import { AsyncLocalStorage } from "node:async_hooks";
import { uuidV4 } from "./uuid.js";
import type { Attributes } from "./types.js";

/**
 * What a wrap or an inbound request binds for everything it runs: the
 * correlation id, the static attributes nested wraps inherit, and the client
 * that handled the request (so `recordRoute` can find it).
 */
export interface CorrelationScope {
  readonly correlationId: string | undefined;
  readonly attributes?: Attributes;
  readonly client?: unknown;
}

// One store per process: the package ships one copy of this module for
// `import` and `require` alike, so every entry shares it.
const store = new AsyncLocalStorage<CorrelationScope>();

export function currentScope(): CorrelationScope | undefined {
  return store.getStore();
}

export function runInScope<R, TArgs extends unknown[]>(
  scope: CorrelationScope,
  fn: (...args: TArgs) => R,
  ...args: TArgs
): R {
  return store.run(scope, fn, ...args);
}

export function newCorrelationId(): string {
  return uuidV4();
}

/** The correlation id active in the current async context, if any. */
export function getCorrelationId(): string | undefined {
  return store.getStore()?.correlationId;
}

/** Asserts `id` is a string that is non-empty after trimming. */
export function assertCorrelationId(id: unknown): asserts id is string {
  if (typeof id !== "string") {
    throw new TypeError(`intentproof: correlationId must be a string, got ${typeof id}`);
  }
  if (id.trim() === "") {
    throw new TypeError("intentproof: correlationId must be non-empty after trimming whitespace");
  }
}

/** Runs `fn` with `id` (trimmed) as the active correlation id; nested wraps inherit it. */
export function runWithCorrelationId<T>(id: string, fn: () => T): T {
  assertCorrelationId(id);
  if (typeof fn !== "function") {
    throw new TypeError("intentproof: runWithCorrelationId(id, fn): fn must be a function");
  }
  const outer = store.getStore();
  return store.run({ correlationId: id.trim(), attributes: outer?.attributes, client: outer?.client }, fn);
}
