import type { ExecutionError, ExecutionEvent, JsonValue } from "./types.js";

// The objects an event is made of, built by constructor instead of by object
// literal. V8 follows what becomes of each literal's objects, and exporters
// keep events: a MemoryExporter its last 1,000, a batching exporter its
// batch. A busy server collects its young generation every few hundred
// requests, so nearly every event built since the last collection is still
// alive at the next one, and V8 then makes the literal allocate straight into
// the old generation ("allocation-site pretenuring"), where its objects die
// and only full collections reclaim them. In CPU profiles of a decorated Nest
// server on Node 24 that cost its two records several µs per request; the
// bench resolves less (docs/benchmarks.md). A constructor's objects are not
// followed that way.
// Each constructor's prototype is `Object.prototype`: to every observer
// (`Object.getPrototypeOf`, `util.inspect`, `structuredClone`, JSON) these
// are plain objects.

type Inputs = Record<string, JsonValue>;

function PlainRecord(): void {}
PlainRecord.prototype = Object.prototype;

/** `{}`, with the keys to be added by the caller. */
export function newRecord<T extends object>(): T {
  return new (PlainRecord as unknown as new () => T)();
}

function initOkEvent(
  this: ExecutionEvent,
  id: string,
  correlationId: string,
  intent: string,
  action: string,
  inputs: Inputs,
  output: JsonValue,
  startedAt: string,
  completedAt: string,
  durationMs: number,
): void {
  this.id = id;
  this.correlationId = correlationId;
  this.intent = intent;
  this.action = action;
  this.inputs = inputs;
  this.output = output;
  this.status = "ok";
  this.startedAt = startedAt;
  this.completedAt = completedAt;
  this.durationMs = durationMs;
}
initOkEvent.prototype = Object.prototype;

/** The common event: `ok`, with a correlation id, keys in the spec's order. Call it with `new`. */
export const OkEvent = initOkEvent as unknown as new (...args: Parameters<typeof initOkEvent>) => ExecutionEvent;

function initErrorRecord(this: ExecutionError, name: string, message: string, stack: string | null): void {
  this.name = name;
  this.message = message;
  this.stack = stack;
}
initErrorRecord.prototype = Object.prototype;

/** An event's `error`; `code` and `cause` are added by the caller when there are any. Call it with `new`. */
export const ErrorRecord = initErrorRecord as unknown as new (...args: Parameters<typeof initErrorRecord>) => ExecutionError;

// Inputs keyed by argument index are copied from a template: an object
// starts with no room for index keys, and adding the first one costs more
// than the rest of a small wrap. A spread copy is not followed like a literal.
const ONE_ARGUMENT: Inputs = { 0: null };
const TWO_ARGUMENTS: Inputs = { 0: null, 1: null };

/** `{ "0": first }`. */
export function newInputs1(first: JsonValue): Inputs {
  const inputs = { ...ONE_ARGUMENT };
  inputs[0] = first;
  return inputs;
}

/** `{ "0": first, "1": second }`. */
export function newInputs2(first: JsonValue, second: JsonValue): Inputs {
  const inputs = { ...TWO_ARGUMENTS };
  inputs[0] = first;
  inputs[1] = second;
  return inputs;
}
