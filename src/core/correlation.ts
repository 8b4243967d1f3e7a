import { AsyncLocalStorage, AsyncResource, executionAsyncId } from "node:async_hooks";
import { uuidV4 } from "./uuid.js";
import type { Attributes } from "./types.js";

/**
 * What a wrap or an inbound request binds for everything it runs: the
 * correlation id, the static attributes nested wraps inherit, the client
 * that handled the request (so `recordRoute` can find it), and the request's
 * slot. Every scope nested in a request passes the client and the slot on.
 */
export interface CorrelationScope {
  readonly correlationId: string | undefined;
  readonly attributes?: Attributes;
  readonly client?: unknown;
  readonly requestSlot?: RequestSlot;
}

/**
 * Where an integration keeps its state about one inbound request, for the
 * code that handles it to find, whatever scopes that code runs in: made by
 * the correlation middleware with the request's scope. Not a store of its
 * own: on Node 20 and 22 every store a process has enabled costs every
 * promise a hook call, and on Node 24 entering one builds a context frame.
 * It holds nothing of the request itself, and the integration empties it
 * when done: an async resource created during a request (a pooled
 * connection's socket) keeps the request's scope for its own lifetime.
 */
export class RequestSlot {
  /** What the integration keeps; `undefined` until it fills the slot, and once it has emptied it. */
  held: unknown = undefined;
}

/**
 * A scope nested in `outer`, with its own id and attributes. The client and
 * the request's slot are passed on, so code deeper in a request still finds
 * them: the one place where a nested scope is built.
 */
export function nestedScope(
  outer: CorrelationScope | undefined,
  correlationId: string | undefined,
  attributes: Attributes | undefined,
): CorrelationScope {
  return { correlationId, attributes, client: outer?.client, requestSlot: outer?.requestSlot };
}

// One store per process: the package ships one copy of this module for
// `import` and `require` alike, so every entry shares it.
const store = new AsyncLocalStorage<CorrelationScope>();

export function currentScope(): CorrelationScope | undefined {
  return store.getStore();
}

/**
 * Whether this Node keeps async context in frames (the default from Node 24):
 * there `AsyncLocalStorage.run` builds two frames, a copy of the current one
 * on entry and another on exit, while re-entering a captured context swaps
 * one pointer. Node 20's async hooks are the other way round: `run` sets one
 * property and an `AsyncResource` costs a hook call. The probe tells the two
 * apart by behaviour: with frames, `enterWith` inside a resource's scope ends
 * with the scope instead of sticking to the resource. It runs on first use,
 * not at import: on Node 20 it switches the promise hooks on and off, about
 * a millisecond of a cold start.
 */
let framedContext: boolean | undefined;

function contextIsFramed(): boolean {
  return (framedContext ??= probeFramedContext());
}

function probeFramedContext(): boolean {
  const probe = new AsyncLocalStorage<boolean>();
  const resource = new AsyncResource("intentproof.probe");
  resource.runInAsyncScope(() => probe.enterWith(true));
  const stuck = resource.runInAsyncScope(() => probe.getStore());
  probe.disable();
  return stuck !== true;
}

const CONTEXT_TYPE = "intentproof.scope";

/**
 * A resource holding the current context. Its trigger is the current
 * execution, given as a number: the options-object form reads the default
 * trigger and validates options, about a third of the constructor's cost on
 * every recorded call.
 */
function newContextResource(): AsyncResource {
  return new AsyncResource(CONTEXT_TYPE, executionAsyncId());
}

function enterThenApply<T>(storage: AsyncLocalStorage<T>, value: T, fn: Function, thisArg: unknown, args: readonly unknown[]): unknown {
  storage.enterWith(value);
  return Reflect.apply(fn, thisArg, args);
}

/**
 * `fn.apply(thisArg, args)` with `storage` holding `value`, the caller's
 * context restored afterwards: `storage.run`, at one frame instead of two
 * where context is kept in frames (the resource restores the caller's
 * context on the way out, and `enterWith` inside it copies the caller's
 * other stores).
 */
function callWithStore<T>(storage: AsyncLocalStorage<T>, value: T, fn: Function, thisArg: unknown, args: readonly unknown[]): unknown {
  if (!contextIsFramed()) return storage.run(value, Reflect.apply, fn, thisArg, args);
  return newContextResource().runInAsyncScope(enterThenApply, undefined, storage, value, fn, thisArg, args);
}

/** `fn.apply(thisArg, args)` inside `scope`. */
export function callInScope(scope: CorrelationScope, fn: Function, thisArg: unknown, args: readonly unknown[]): unknown {
  return callWithStore(store, scope, fn, thisArg, args);
}

export function runInScope<R, TArgs extends unknown[]>(
  scope: CorrelationScope,
  fn: (...args: TArgs) => R,
  ...args: TArgs
): R {
  if (store.getStore() === scope) return fn(...args);
  return callInScope(scope, fn, undefined, args) as R;
}

/**
 * A handle on the current async context when re-entering it is cheaper than
 * entering its scope again (Node 24's frames); `undefined` where it is not.
 * Re-enter it with the handle's `runInAsyncScope`.
 */
export function captureContext(): AsyncResource | undefined {
  return contextIsFramed() ? newContextResource() : undefined;
}

export function newCorrelationId(): string {
  return uuidV4();
}

/** The correlation id active in the current async context, if any. */
export function getCorrelationId(): string | undefined {
  return store.getStore()?.correlationId;
}

/** The spec's longest correlation id, for ids from headers and from code alike. */
export const MAX_CORRELATION_ID_LENGTH = 128;

function isAsciiWhitespace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

/**
 * `value` without leading and trailing ASCII whitespace (the spec trims ASCII
 * only; `String#trim` would also strip Unicode spaces). Index loops: linear
 * in the input, whatever its shape.
 */
export function trimAsciiWhitespace(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isAsciiWhitespace(value.charCodeAt(start))) start++;
  while (end > start && isAsciiWhitespace(value.charCodeAt(end - 1))) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

/** Printable ASCII (0x20–0x7e) only: ids are echoed into headers and stored in audit records. */
function isPrintableAscii(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) return false;
  }
  return true;
}

/**
 * Why `id` is not an acceptable correlation id, or `undefined` when it is.
 * The rule of the spec for ids from any source: a string that, trimmed of
 * ASCII whitespace, is 1 to 128 printable ASCII characters.
 */
export function correlationIdProblem(id: unknown): string | undefined {
  if (typeof id !== "string") return `must be a string, got ${typeof id}`;
  return problemOfTrimmed(trimAsciiWhitespace(id));
}

/** `value` trimmed when it is an acceptable correlation id (the rule above), else `undefined`. */
export function acceptedCorrelationId(value: string): string | undefined {
  const trimmed = trimAsciiWhitespace(value);
  return problemOfTrimmed(trimmed) === undefined ? trimmed : undefined;
}

function problemOfTrimmed(trimmed: string): string | undefined {
  if (trimmed === "") return "must be non-empty after trimming whitespace";
  if (trimmed.length > MAX_CORRELATION_ID_LENGTH) {
    return `must be at most ${MAX_CORRELATION_ID_LENGTH} characters after trimming whitespace`;
  }
  if (!isPrintableAscii(trimmed)) return "must hold printable ASCII characters only";
  return undefined;
}

/** Asserts `id` is an acceptable correlation id (see `correlationIdProblem`); TypeError otherwise. */
export function assertCorrelationId(id: unknown): asserts id is string {
  const problem = correlationIdProblem(id);
  if (problem !== undefined) throw new TypeError(`intentproof: correlationId ${problem}`);
}

/** Runs `fn` with `id` (trimmed) as the active correlation id; nested wraps inherit it. */
export function runWithCorrelationId<T>(id: string, fn: () => T): T {
  assertCorrelationId(id);
  if (typeof fn !== "function") {
    throw new TypeError("intentproof: runWithCorrelationId(id, fn): fn must be a function");
  }
  const outer = store.getStore();
  return runInScope(nestedScope(outer, trimAsciiWhitespace(id), outer?.attributes), fn);
}
