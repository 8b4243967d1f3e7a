/**
 * The hot path of one recorded call, in the order it runs:
 *
 *   1. `recordedFunction`  what `client.wrap` returns, one per wrap site
 *   2. `invokeRecorded`    one call: start, call, settle
 *   3. `startExecution`    clocks, correlation id and scope, inputs
 *   4. `callRecorded`      the user's function inside the scope, settled by
 *                          the result's shape (sync value or throw, promise,
 *                          foreign thenable)
 *   5. `Execution.succeed` / `Execution.fail`  the outcome, exactly once
 *   6. `buildEvent`        the ExecutionEvent
 *   7. `deliver`           handed to every exporter (the package's share it,
 *                          others get copies);
 *                          promises tracked for flush()
 *
 * Integration API (Express, Nest): the same steps, for calls whose shape or
 * end is not a plain function return.
 *
 *   prepareWrap(options, owner): WrapPlan               (wrap-plan.ts) validate once per site
 *   tryStartExecution(client, plan, args, defaultInputs?): Execution | undefined
 *       starts a recording; never throws (a telemetry failure is reported
 *       and `undefined` returned: run the function bare)
 *   startExecution(client, plan, args, defaultInputs?): Execution   same, may throw
 *   callRecorded(execution, fn, thisArg, args, settlement?, adopt?): unknown
 *       calls `fn` in the execution's scope; a sync throw is settled then
 *       rethrown, a sync value settled then returned, a thenable followed and
 *       returned (a foreign one adopted once). `adopt(result, execution,
 *       settlement)` may claim other result shapes first (Nest: an
 *       Observable) by returning a replacement; it returns `undefined` to
 *       decline. It gets the execution as arguments so that it can be one
 *       function for every call, not a closure per call.
 *   interface Settlement { succeed(execution, value): void; fail(execution, error): void }
 *       how an outcome becomes the event (Nest's HTTP mapping); never throws.
 *       Without one, `execution.succeed(value)` / `execution.fail(error)`.
 *   class Execution
 *       correlationId, isSettled
 *       call(fn, thisArg, args) / run(fn)    run inside the execution's scope
 *       succeed(result, attributes?, jsonBody?)  settle ok (first settle wins); a fresh
 *                                             attributes object, taken over; jsonBody:
 *                                             the result is sent as JSON (toJSON followed)
 *       succeedRecorded(output, attributes?)  settle ok with an output already snapshotted
 *       fail(thrown, details?: FailureDetails) settle error
 *       reportInternalError(error)            a telemetry failure, to onExporterError
 *   isThenable(value), followThenable(result, onValue, onError)
 */
import type { IntentProofClient } from "./client.js";
import { mergeAttributes } from "./attributes.js";
import { callInScope, currentScope, nestedScope, runInScope, type CorrelationScope } from "./correlation.js";
import { toExecutionError } from "./error-record.js";
import { copyEvent } from "./event-copy.js";
import { newInputs1, newInputs2, newRecord, OkEvent } from "./event-objects.js";
import { asJsonBody } from "./serialize-options.js";
import { snapshotValue } from "./snapshot.js";
import { isoTimestamp } from "./timestamps.js";
import type { Attributes, ExecutionEvent, JsonValue } from "./types.js";
import { uuidV4 } from "./uuid.js";
import type { ResolvedWrap, WrapPlan } from "./wrap-plan.js";

/**
 * What a `captureInput` / `captureOutput` / `captureError` hook that threw
 * leaves in its field. Not the default snapshot: a hook is often written to
 * keep data out of the record, so its failure must not let that data in.
 */
export const CAPTURE_FAILED = "[CaptureFailed]";

type AnyFunction = (...args: any[]) => unknown;
type Inputs = Record<string, JsonValue>;

/** Per-execution details a framework integration adds when it settles. */
export interface FailureDetails {
  /** Overrides the mapped `error.code` (e.g. an HTTP status). */
  code?: string;
  /** Overrides the mapped `error.name`. */
  name?: string;
  /** Added to the event's; taken over (the event keeps this object), so pass a fresh one. */
  attributes?: Attributes;
}

/** How a recorded call's outcome becomes its event. Implementations never throw. */
export interface Settlement {
  succeed(execution: Execution, value: unknown): void;
  fail(execution: Execution, error: unknown): void;
}

// ---------------------------------------------------------------------------
// 1. The wrapped function
// ---------------------------------------------------------------------------

/** A function with `fn`'s signature, `name` and `length` that records one event per call. */
export function recordedFunction(client: IntentProofClient, plan: WrapPlan, fn: AnyFunction): AnyFunction {
  const recorded = function (this: unknown, ...args: unknown[]): unknown {
    return invokeRecorded(client, plan, fn, this, args);
  };
  Object.defineProperty(recorded, "name", { value: fn.name, configurable: true });
  Object.defineProperty(recorded, "length", { value: fn.length, configurable: true });
  return recorded;
}

// ---------------------------------------------------------------------------
// 2. One call
// ---------------------------------------------------------------------------

export function invokeRecorded(
  client: IntentProofClient,
  plan: WrapPlan,
  fn: AnyFunction,
  thisArg: unknown,
  args: unknown[],
): unknown {
  const execution = tryStartExecution(client, plan, args);
  // Telemetry failed to start: the call goes on exactly as if unwrapped.
  if (execution === undefined) return Reflect.apply(fn, thisArg, args);
  return callRecorded(execution, fn, thisArg, args);
}

// ---------------------------------------------------------------------------
// 3. Start: clocks, correlation, inputs
// ---------------------------------------------------------------------------

/** `startExecution` that reports a failure instead of throwing it into the caller. */
export function tryStartExecution(
  client: IntentProofClient,
  plan: WrapPlan,
  args: unknown[],
  defaultInputs?: unknown,
): Execution | undefined {
  try {
    return startExecution(client, plan, args, defaultInputs);
  } catch (error) {
    client.reportInternalError(error);
    return undefined;
  }
}

/**
 * Starts one recording: reads the clocks, settles the correlation id (the
 * wrap's own, else the active one, else a fresh UUID), snapshots the inputs
 * before the call can mutate them, and decides whether nested work needs a
 * new correlation scope.
 */
export function startExecution(
  client: IntentProofClient,
  plan: WrapPlan,
  args: unknown[],
  defaultInputs?: unknown,
): Execution {
  const wrap = plan.resolve(client.config);
  // The duration is monotonic; the end's wall-clock reading is checked
  // against it (completedAtMs), so a wall clock stepped during the call
  // cannot reverse the record or make it invalid.
  const startedAtMs = Date.now();
  const startedMonotonic = performance.now();
  const active = currentScope();
  const inherited = wrap.propagateCorrelation ? active?.correlationId : undefined;
  const id = uuidV4();
  // A call that starts a chain names the chain after its own event: the id is
  // a fresh UUID v4 either way, and one random id per call is half the cost.
  const correlationId = wrap.correlationId ?? inherited ?? (wrap.generateOnMissing ? id : undefined);

  let attributes = wrap.eventAttributes;
  const inheritedAttributes = active?.attributes;
  if (inheritedAttributes !== undefined) {
    attributes = mergeAttributes(wrap.config.defaultAttributes, inheritedAttributes, wrap.ownAttributes);
  }
  // A new async scope only when nested work would see a difference: entering
  // one costs more than the rest of a small wrap.
  let scope: CorrelationScope | undefined;
  if (correlationId !== active?.correlationId || wrap.ownAttributes !== undefined) {
    scope = nestedScope(
      active,
      correlationId,
      wrap.ownAttributes === undefined ? inheritedAttributes : mergeAttributes(inheritedAttributes, wrap.ownAttributes),
    );
  }
  const inputs = captureInputs(wrap, args, defaultInputs);
  return new Execution(wrap, id, correlationId, scope, attributes, inputs, startedAtMs, startedMonotonic);
}

function captureInputs(wrap: ResolvedWrap, args: unknown[], defaultInputs: unknown): Inputs {
  if (!wrap.captureInputs) return {};
  if (wrap.captureInput !== undefined) {
    let captured: unknown;
    try {
      captured = wrap.captureInput(args);
    } catch {
      captured = CAPTURE_FAILED;
    }
    return inputsFromHookResult(captured, wrap);
  }
  if (defaultInputs !== undefined) return inputsFromHookResult(defaultInputs, wrap);
  return argumentsByIndex(args, wrap);
}

/** Spec: `inputs` is an object keyed by argument index (`{ "0": … }`). */
function argumentsByIndex(args: readonly unknown[], wrap: ResolvedWrap): Inputs {
  const serialization = wrap.serialization;
  // The common arities from a ready-made shape, instead of an empty object
  // grown key by key.
  switch (args.length) {
    case 0:
      return {};
    case 1:
      return newInputs1(snapshotValue(args[0], serialization));
    case 2:
      if (serialization.maxKeys >= 2) {
        return newInputs2(snapshotValue(args[0], serialization), snapshotValue(args[1], serialization));
      }
  }
  const inputs = newRecord<Inputs>();
  const count = Math.min(args.length, serialization.maxKeys);
  for (let i = 0; i < count; i++) inputs[i] = snapshotValue(args[i], serialization);
  return inputs;
}

/** Spec: `inputs` is always an object; a hook's array is keyed by index, a scalar becomes `{ value }`. */
function inputsFromHookResult(value: unknown, wrap: ResolvedWrap): Inputs {
  const snap = snapshotValue(value, wrap.serialization);
  if (Array.isArray(snap)) {
    const inputs = newRecord<Inputs>();
    const count = Math.min(snap.length, wrap.serialization.maxKeys);
    for (let i = 0; i < count; i++) inputs[i] = snap[i]!;
    return inputs;
  }
  if (snap !== null && typeof snap === "object") return snap;
  const inputs = newRecord<Inputs>();
  inputs.value = snap;
  return inputs;
}

// ---------------------------------------------------------------------------
// 4. Call, and settle by the result's shape
// ---------------------------------------------------------------------------

/**
 * Calls `fn` inside `execution`'s scope and settles it when the outcome is
 * known, keeping the call's shape (see the integration API above).
 */
export function callRecorded(
  execution: Execution,
  fn: AnyFunction,
  thisArg: unknown,
  args: readonly unknown[],
  settlement?: Settlement,
  adopt?: (result: object, execution: Execution, settlement: Settlement | undefined) => unknown,
): unknown {
  let result: unknown;
  try {
    result = execution.call(fn, thisArg, args);
  } catch (error) {
    if (settlement === undefined) execution.fail(error);
    else settlement.fail(execution, error);
    throw error;
  }
  if (result !== null && (typeof result === "object" || typeof result === "function")) {
    if (adopt !== undefined) {
      const adopted = adopt(result, execution, settlement);
      if (adopted !== undefined) return adopted;
    }
    if (isThenable(result)) {
      return followThenable(
        result,
        settlement === undefined ? (value) => execution.succeed(value) : (value) => settlement.succeed(execution, value),
        settlement === undefined ? (error) => execution.fail(error) : (error) => settlement.fail(execution, error),
      );
    }
  }
  if (settlement === undefined) execution.succeed(result);
  else settlement.succeed(execution, result);
  return result;
}

// `instanceof` consults a Proxy's getPrototypeOf trap, which may throw: a
// hostile return value must not turn into an exception in the caller.
function isNativePromise(value: unknown): value is Promise<unknown> {
  try {
    return value instanceof Promise;
  } catch {
    return false;
  }
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return false;
  if (isNativePromise(value)) return true;
  try {
    return typeof (value as { then?: unknown }).then === "function";
  } catch {
    return false;
  }
}

/**
 * Settles through `onValue`/`onError` when `result` settles and returns what
 * the caller should get: a native promise as is, and for a foreign thenable
 * (which may start work each time `then` is called, as lazy query builders
 * do) a promise that adopts it once. The handlers must not throw, so the
 * derived promise never rejects unhandled.
 */
export function followThenable(
  result: PromiseLike<unknown>,
  onValue: (value: unknown) => void,
  onError: (error: unknown) => void,
): PromiseLike<unknown> {
  const observed = isNativePromise(result) ? result : Promise.resolve(result);
  try {
    observed.then(onValue, onError);
  } catch {
    // A Proxy around a promise passes `instanceof` yet may throw from `then`:
    // the call returned that value, so it is recorded as returned.
    onValue(result);
  }
  return observed;
}

// ---------------------------------------------------------------------------
// 5–7. Settle, build the event, deliver it
// ---------------------------------------------------------------------------

/**
 * One recorded invocation: started when the call begins, settled exactly once
 * with `succeed` or `fail`, which builds the event and hands it to the
 * exporters. Integrations use it directly when a call's outcome is only known
 * later (an HTTP response finishing, an Observable completing).
 */
export class Execution {
  private settled = false;

  constructor(
    private readonly wrap: ResolvedWrap,
    private readonly id: string,
    readonly correlationId: string | undefined,
    private readonly scope: CorrelationScope | undefined,
    private readonly attributes: Readonly<Attributes> | undefined,
    private readonly inputs: Inputs,
    private readonly startedAtMs: number,
    private readonly startedMonotonic: number,
  ) {}

  /** Calls `fn` inside this execution's correlation scope, so nested wraps inherit it. */
  call<T>(fn: (...args: any[]) => T, thisArg: unknown, args: readonly unknown[]): T {
    if (this.scope === undefined) return Reflect.apply(fn, thisArg, args) as T;
    return callInScope(this.scope, fn, thisArg, args) as T;
  }

  /** Runs `fn` inside this execution's correlation scope. */
  run<T>(fn: () => T): T {
    return this.scope === undefined ? fn() : runInScope(this.scope, fn);
  }

  get isSettled(): boolean {
    return this.settled;
  }

  /**
   * `jsonBody`: `result` is what an HTTP framework sends as a JSON body, so it
   * is recorded as encoded (its `toJSON` followed, see `asJsonBody`).
   */
  succeed(result: unknown, attributes?: Attributes, jsonBody = false): void {
    if (this.settled) return;
    this.settled = true;
    try {
      const { captureOutput } = this.wrap;
      const serialization = jsonBody ? asJsonBody(this.wrap.serialization) : this.wrap.serialization;
      let output: JsonValue;
      if (captureOutput === false) {
        output = null;
      } else if (typeof captureOutput === "function") {
        output = snapshotByHook(captureOutput, result, this.wrap);
      } else {
        output = snapshotValue(result, serialization);
      }
      this.finish("ok", output, undefined, attributes);
    } catch (error) {
      this.reportInternalError(error);
    }
  }

  /**
   * `succeed` with an output the integration already recorded (a snapshot
   * under this execution's serializer options, taken when the value was
   * final, e.g. a response body as it was sent): kept as is, not copied again.
   */
  succeedRecorded(output: JsonValue, attributes?: Attributes): void {
    if (this.settled) return;
    this.settled = true;
    try {
      this.finish("ok", output, undefined, attributes);
    } catch (error) {
      this.reportInternalError(error);
    }
  }

  fail(thrown: unknown, details?: FailureDetails): void {
    if (this.settled) return;
    this.settled = true;
    try {
      const wrap = this.wrap;
      const error = toExecutionError(thrown, wrap.includeErrorStack, wrap.serialization.maxStringLength);
      if (details?.code !== undefined) error.code = details.code;
      if (details?.name !== undefined) error.name = details.name;
      const output = typeof wrap.captureError === "function" ? snapshotByHook(wrap.captureError, thrown, wrap) : undefined;
      this.finish("error", output, error, details?.attributes);
    } catch (error) {
      this.reportInternalError(error);
    }
  }

  /** A failure of telemetry itself, reported to `onExporterError` without an event. */
  reportInternalError(error: unknown): void {
    this.wrap.config.reportExporterError(error, undefined);
  }

  private finish(
    status: "ok" | "error",
    output: JsonValue | undefined,
    error: ExecutionEvent["error"],
    extraAttributes: Attributes | undefined,
  ): void {
    const event = this.buildEvent(status, output, error, extraAttributes);
    deliver(event, this.wrap);
  }

  private buildEvent(
    status: "ok" | "error",
    output: JsonValue | undefined,
    error: ExecutionEvent["error"],
    extraAttributes: Attributes | undefined,
  ): ExecutionEvent {
    const { wrap, correlationId } = this;
    // Monotonic and never negative, kept to the microsecond.
    const elapsed = performance.now() - this.startedMonotonic;
    const durationMs = elapsed > 0 ? Math.round(elapsed * 1000) / 1000 : 0;
    const startedAt = isoTimestamp(this.startedAtMs);
    const endMs = completedAtMs(this.startedAtMs, durationMs);
    // Most calls end within the millisecond they started in: one string serves both.
    const completedAt = endMs === Math.floor(this.startedAtMs) ? startedAt : isoTimestamp(endMs);
    // An integration's own attributes are taken over as they are when there
    // is nothing to merge them with. They are not frozen: this object is the
    // event's alone, and copies for other exporters copy it (event-copy.ts).
    // Object.freeze is a call into the engine's C++ that cost more per
    // request in a server than building the event around it.
    let attributes = this.attributes;
    if (extraAttributes !== undefined) {
      attributes = attributes === undefined ? extraAttributes : { ...attributes, ...extraAttributes };
    }
    let event: ExecutionEvent;
    if (status === "ok" && correlationId !== undefined) {
      // The common shape in one constructor call: cheaper than growing an object key by key.
      event = new OkEvent(
        this.id,
        correlationId,
        wrap.intent,
        wrap.action,
        this.inputs,
        output as JsonValue,
        startedAt,
        completedAt,
        durationMs,
      );
    } else {
      event = newRecord<ExecutionEvent>();
      event.id = this.id;
      if (correlationId !== undefined) event.correlationId = correlationId;
      event.intent = wrap.intent;
      event.action = wrap.action;
      event.inputs = this.inputs;
      if (output !== undefined) event.output = output;
      if (error !== undefined) event.error = error;
      event.status = status;
      event.startedAt = startedAt;
      event.completedAt = completedAt;
      event.durationMs = durationMs;
    }
    if (attributes !== undefined) event.attributes = attributes;
    return event;
  }
}

/**
 * The wall-clock millisecond a call ended in. A fresh reading, so that a call
 * made inside another ends no later than it in the records too: the start's
 * whole millisecond plus the duration could put a nested call's end 1 ms
 * after its caller's. The reading is kept when it agrees with the monotonic
 * duration within the spec's 1 ms; when the wall clock was stepped or set
 * during the call, the end is the start plus the duration instead, so the
 * record stays ordered and valid.
 */
function completedAtMs(startedAtMs: number, durationMs: number): number {
  // Whole milliseconds, as the timestamps show them (a mocked clock may return fractions).
  const startMs = Math.floor(startedAtMs);
  const nowMs = Math.floor(Date.now());
  const wallElapsed = nowMs - startMs;
  if (wallElapsed >= 0 && Math.abs(wallElapsed - durationMs) <= 1) return nowMs;
  return startMs + Math.round(durationMs);
}

/** The snapshot of a capture hook's result; {@link CAPTURE_FAILED} when the hook threw. */
export function snapshotByHook(hook: (value: unknown) => unknown, value: unknown, wrap: ResolvedWrap): JsonValue {
  let captured: unknown;
  try {
    captured = hook(value);
  } catch {
    return CAPTURE_FAILED;
  }
  return snapshotValue(captured, wrap.serialization);
}

/**
 * Hands the event to every exporter of the configuration it was recorded
 * under. The package's own exporters share the original (they never change
 * it, and give user code only copies); any other exporter gets a deep copy
 * of its own whenever another exporter is configured, so none can change
 * what another receives (`sharesEvent`, shared-event.ts). A throw is
 * reported with the event; a returned promise is tracked so `flush()` can
 * wait for it (and report a rejection). Never throws.
 */
function deliver(original: ExecutionEvent, wrap: ResolvedWrap): void {
  const { exporters, sharesEvent, pendingExports, reportExporterError } = wrap.config;
  for (let i = 0; i < exporters.length; i++) {
    const exporter = exporters[i]! as { export?: (event: ExecutionEvent) => unknown; onEvent?: (event: ExecutionEvent) => unknown };
    let event = original;
    try {
      if (!sharesEvent[i]) event = copyEvent(original);
      const outcome = typeof exporter.export === "function" ? exporter.export(event) : exporter.onEvent!(event);
      if (outcome !== undefined && outcome !== null && typeof (outcome as PromiseLike<unknown>).then === "function") {
        pendingExports.track(outcome as PromiseLike<unknown>, event, wrap.exporterTimeoutMs, reportExporterError);
      }
    } catch (error) {
      reportExporterError(error, event);
    }
  }
}
