import { uuidV4 } from "./uuid.js";
import { mergeAttributes } from "./attributes.js";
import type { ResolvedConfig } from "./config.js";
import { currentScope, runInScope, type CorrelationScope } from "./correlation.js";
import { toExecutionError } from "./error-record.js";
import { snapshotValue } from "./snapshot.js";
import { isoTimestamp } from "./timestamps.js";
import type { Attributes, ExecutionEvent, JsonValue } from "./types.js";
import type { ResolvedWrap, WrapPlan } from "./wrap-plan.js";

/** What an execution reports to: the client that started it. */
export interface EventSink {
  readonly config: ResolvedConfig;
  emit(event: ExecutionEvent, exporterTimeoutMs: number): void;
  reportInternalError(error: unknown): void;
}

/** Per-execution details a framework integration adds when it settles. */
export interface FailureDetails {
  /** Overrides the mapped `error.code` (e.g. an HTTP status). */
  code?: string;
  /** Overrides the mapped `error.name`. */
  name?: string;
  attributes?: Attributes;
}

type Inputs = Record<string, JsonValue>;

function keyedByIndex(values: readonly unknown[], wrap: ResolvedWrap, alreadyJson: boolean): Inputs {
  const inputs: Inputs = {};
  const count = Math.min(values.length, wrap.serialization.maxKeys);
  for (let i = 0; i < count; i++) {
    inputs[i] = alreadyJson ? (values[i] as JsonValue) : snapshotValue(values[i], wrap.serialization);
  }
  return inputs;
}

/** Spec: `inputs` is always an object; a hook's array is keyed by index, a scalar becomes `{ value }`. */
function inputsFromHookResult(value: unknown, wrap: ResolvedWrap): Inputs {
  const snap = snapshotValue(value, wrap.serialization);
  if (Array.isArray(snap)) return keyedByIndex(snap, wrap, true);
  if (snap !== null && typeof snap === "object") return snap;
  return { value: snap };
}

function captureInputs(wrap: ResolvedWrap, args: unknown[], defaultInputs: unknown): Inputs {
  if (!wrap.captureInputs) return {};
  if (wrap.captureInput !== undefined) {
    try {
      return inputsFromHookResult(wrap.captureInput(args), wrap);
    } catch {
      // A failing hook falls back to the default snapshot: the call must go on.
    }
  }
  if (defaultInputs !== undefined) return inputsFromHookResult(defaultInputs, wrap);
  return args.length === 0 ? {} : keyedByIndex(args, wrap, false);
}

/**
 * One recorded invocation: started when the call begins, settled exactly once
 * with `succeed` or `fail`, which builds the event and hands it to the
 * exporters. Framework integrations use it directly when a call's outcome is
 * only known later (an HTTP response finishing, an Observable completing).
 */
export class Execution {
  private settled = false;

  constructor(
    private readonly sink: EventSink,
    private readonly wrap: ResolvedWrap,
    private readonly id: string,
    readonly correlationId: string | undefined,
    private readonly scope: CorrelationScope | undefined,
    private readonly attributes: Readonly<Attributes> | undefined,
    private readonly inputs: Inputs,
    private readonly startMs: number,
  ) {}

  /** Calls `fn` inside this execution's correlation scope, so nested wraps inherit it. */
  call<T>(fn: (...args: any[]) => T, thisArg: unknown, args: readonly unknown[]): T {
    if (this.scope === undefined) return Reflect.apply(fn, thisArg, args) as T;
    return runInScope(this.scope, Reflect.apply, fn, thisArg, args) as T;
  }

  /** Runs `fn` inside this execution's correlation scope. */
  run<T>(fn: () => T): T {
    return this.scope === undefined ? fn() : runInScope(this.scope, fn);
  }

  get isSettled(): boolean {
    return this.settled;
  }

  succeed(result: unknown, attributes?: Attributes): void {
    if (this.settled) return;
    this.settled = true;
    try {
      this.emit("ok", this.outputOf(result), undefined, attributes);
    } catch (error) {
      this.sink.reportInternalError(error);
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
      let output: JsonValue | undefined;
      if (typeof wrap.captureError === "function") {
        try {
          output = snapshotValue(wrap.captureError(thrown), wrap.serialization);
        } catch {
          // A failing hook leaves `output` out; the error itself is still recorded.
        }
      }
      this.emit("error", output, error, details?.attributes);
    } catch (error) {
      this.sink.reportInternalError(error);
    }
  }

  private outputOf(result: unknown): JsonValue {
    const { captureOutput, serialization } = this.wrap;
    if (captureOutput === false) return null;
    if (typeof captureOutput === "function") {
      try {
        return snapshotValue(captureOutput(result), serialization);
      } catch {
        // Fall back to the default snapshot of the result.
      }
    }
    return snapshotValue(result, serialization);
  }

  private emit(
    status: "ok" | "error",
    output: JsonValue | undefined,
    error: ExecutionEvent["error"],
    extraAttributes: Attributes | undefined,
  ): void {
    const endMs = Date.now();
    const { wrap, correlationId } = this;
    let event: ExecutionEvent;
    if (status === "ok" && correlationId !== undefined) {
      // The common shape as one literal: cheaper than growing an object key by key.
      event = {
        id: this.id,
        correlationId,
        intent: wrap.intent,
        action: wrap.action,
        inputs: this.inputs,
        output: output as JsonValue,
        status,
        startedAt: isoTimestamp(this.startMs),
        completedAt: isoTimestamp(endMs),
        durationMs: endMs - this.startMs,
      };
    } else {
      event = { id: this.id } as ExecutionEvent;
      if (correlationId !== undefined) event.correlationId = correlationId;
      event.intent = wrap.intent;
      event.action = wrap.action;
      event.inputs = this.inputs;
      if (output !== undefined) event.output = output;
      if (error !== undefined) event.error = error;
      event.status = status;
      event.startedAt = isoTimestamp(this.startMs);
      event.completedAt = isoTimestamp(endMs);
      event.durationMs = endMs - this.startMs;
    }
    if (this.attributes !== undefined || extraAttributes !== undefined) {
      event.attributes = { ...this.attributes, ...extraAttributes };
    }
    this.sink.emit(event, this.wrap.exporterTimeoutMs);
  }
}

/**
 * Starts one execution of `plan` for `sink`: resolves the correlation id
 * (explicit, inherited, or generated), captures inputs before the user code
 * runs, and decides whether a new correlation scope is needed for nested work.
 */
export function startExecution(
  sink: EventSink,
  plan: WrapPlan,
  args: unknown[],
  defaultInputs?: unknown,
): Execution {
  const wrap = plan.resolve(sink.config);
  const startMs = Date.now();
  const active = currentScope();
  const inherited = wrap.propagateCorrelation ? active?.correlationId : undefined;
  const id = uuidV4();
  // A call that starts a chain names the chain after its own event: the id is
  // a fresh UUID v4 either way, and one random id per call is half the cost.
  const correlationId = wrap.correlationId ?? inherited ?? (wrap.generateOnMissing ? id : undefined);

  let scope: CorrelationScope | undefined;
  let attributes = wrap.eventAttributes;
  const inheritedAttributes = active?.attributes;
  if (inheritedAttributes !== undefined) {
    attributes = mergeAttributes(sink.config.defaultAttributes, inheritedAttributes, wrap.ownAttributes);
  }
  // Only open a new async scope when something nested would see a difference:
  // entering one costs more than the rest of a small wrap.
  if (correlationId !== active?.correlationId || wrap.ownAttributes !== undefined) {
    scope = {
      correlationId,
      attributes:
        wrap.ownAttributes === undefined
          ? inheritedAttributes
          : mergeAttributes(inheritedAttributes, wrap.ownAttributes),
      client: active?.client,
    };
  }
  const inputs = captureInputs(wrap, args, defaultInputs);
  return new Execution(sink, wrap, id, correlationId, scope, attributes, inputs, startMs);
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

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return false;
  if (isNativePromise(value)) return true;
  try {
    return typeof (value as { then?: unknown }).then === "function";
  } catch {
    return false;
  }
}

/** The hot path of every wrapped call. */
export function invokeRecorded(
  sink: EventSink,
  plan: WrapPlan,
  fn: (...args: any[]) => unknown,
  thisArg: unknown,
  args: unknown[],
): unknown {
  const execution = startExecution(sink, plan, args);
  let result: unknown;
  try {
    result = execution.call(fn, thisArg, args);
  } catch (error) {
    execution.fail(error);
    throw error;
  }
  if (isThenable(result)) {
    return followThenable(
      result,
      (value) => execution.succeed(value),
      (error) => execution.fail(error),
    );
  }
  execution.succeed(result);
  return result;
}
