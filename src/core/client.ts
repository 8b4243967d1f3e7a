import { resolveConfig, type ResolvedConfig } from "./config.js";
import { currentScope, getCorrelationId, newCorrelationId, runInScope } from "./correlation.js";
import { invokeRecorded, startExecution, type EventSink, type Execution } from "./execution.js";
import { MemoryExporter } from "../exporters/memory.js";
import type { ExecutionEvent, Exporter, IntentProofConfig, WrapOptions, WrapOptionsWithFn } from "./types.js";
import { prepareWrap, type WrapPlan } from "./wrap-plan.js";

/** Raised through `onExporterError` when an exporter's promise outlives `exporterTimeoutMs`. */
export class ExporterTimeoutError extends Error {
  override readonly name = "ExporterTimeoutError";
  readonly code = "EXPORTER_TIMEOUT";
}

interface PendingExport {
  readonly event: ExecutionEvent;
  readonly deadline: number;
  readonly timeoutMs: number;
}

function defaultExporters(): Exporter[] {
  return [new MemoryExporter()];
}

/** The options object and the function of a `wrap` call, in either of its two forms. */
function splitWrapArguments(
  optionsOrBoth: WrapOptions<any, any> | WrapOptionsWithFn<any, any>,
  fn: unknown,
): [WrapOptions<any, any>, (...args: any[]) => unknown] {
  if (fn === undefined && optionsOrBoth !== null && typeof optionsOrBoth === "object" && "fn" in optionsOrBoth) {
    const { fn: inner, ...options } = optionsOrBoth as WrapOptionsWithFn<any, any>;
    return [options, inner as (...args: any[]) => unknown];
  }
  return [optionsOrBoth, fn as (...args: any[]) => unknown];
}

/**
 * Records one `ExecutionEvent` per invocation of the functions it wraps and
 * hands each event to its exporters. Telemetry never changes what the caller
 * sees: exporter failures go to `onExporterError`, and nothing here throws
 * into a wrapped call.
 */
export class IntentProofClient implements EventSink {
  private resolved: ResolvedConfig;
  private readonly pending = new Map<Promise<unknown>, PendingExport>();

  constructor(config?: IntentProofConfig) {
    this.resolved = resolveConfig(config, undefined, defaultExporters);
  }

  /** @internal The validated configuration in force. */
  get config(): ResolvedConfig {
    return this.resolved;
  }

  /** The exporters events go to, in the order they are called. */
  get exporters(): readonly Exporter[] {
    return this.resolved.exporters;
  }

  /** Re-applies the given fields; absent ones keep their value. Throws a TypeError (and changes nothing) on a bad field. */
  configure(config: IntentProofConfig): this {
    this.resolved = resolveConfig(config, this.resolved, defaultExporters);
    return this;
  }

  /**
   * Returns a function with `fn`'s signature that records one event per call.
   * Options are checked now; a malformed one throws a TypeError here, never
   * at call time.
   */
  wrap<TArgs extends unknown[], TResult, TThis = unknown>(
    options: WrapOptions<TArgs, TResult>,
    fn: (this: TThis, ...args: TArgs) => TResult,
  ): (this: TThis, ...args: TArgs) => TResult;
  wrap<TArgs extends unknown[], TResult>(options: WrapOptionsWithFn<TArgs, TResult>): (...args: TArgs) => TResult;
  wrap(optionsOrBoth: WrapOptions<any, any> | WrapOptionsWithFn<any, any>, maybeFn?: unknown): (...args: unknown[]) => unknown {
    const [options, fn] = splitWrapArguments(optionsOrBoth, maybeFn);
    if (typeof fn !== "function") throw new TypeError('intentproof: wrap(options, fn): "fn" must be a function');
    const plan = prepareWrap(options, "intentproof: wrap options");
    const client = this;
    const recorded = function (this: unknown, ...args: unknown[]): unknown {
      return invokeRecorded(client, plan, fn, this, args);
    };
    Object.defineProperty(recorded, "name", { value: fn.name, configurable: true });
    Object.defineProperty(recorded, "length", { value: fn.length, configurable: true });
    return recorded;
  }

  /**
   * @internal Starts a recording whose outcome is reported later. Framework
   * integrations use it when the call's end is not a function return.
   */
  startExecution(plan: WrapPlan, args: unknown[], defaultInputs?: unknown): Execution {
    return startExecution(this, plan, args, defaultInputs);
  }

  /** The correlation id active in the current async context, if any. */
  getCorrelationId(): string | undefined {
    return getCorrelationId();
  }

  /** Runs `fn` under a fresh UUID v4, or under `id` trimmed (a blank `id` also gets a fresh UUID). */
  withCorrelation<T>(fn: () => T): T;
  withCorrelation<T>(id: string, fn: () => T): T;
  withCorrelation<T>(idOrFn: string | (() => T), maybeFn?: () => T): T {
    const fn = typeof idOrFn === "function" ? idOrFn : maybeFn;
    if (typeof fn !== "function") throw new TypeError('intentproof: withCorrelation: "fn" must be a function');
    const trimmed = typeof idOrFn === "string" ? idOrFn.trim() : "";
    const outer = currentScope();
    return runInScope(
      { correlationId: trimmed === "" ? newCorrelationId() : trimmed, attributes: outer?.attributes, client: outer?.client },
      fn,
    );
  }

  /** Waits for exporter promises still settling, then for every exporter's `flush()`, in parallel. Never rejects. */
  async flush(): Promise<void> {
    await this.settlePending();
    await this.eachExporter((exporter) => exporter.flush?.());
  }

  /** Waits for pending exports, then calls each exporter's `shutdown()` (else `flush()`). Never rejects. */
  async shutdown(): Promise<void> {
    await this.settlePending();
    await this.eachExporter((exporter) => (exporter.shutdown ? exporter.shutdown() : exporter.flush?.()));
  }

  /** @internal */
  emit(event: ExecutionEvent, exporterTimeoutMs: number): void {
    const exporters = this.resolved.exporters;
    for (let i = 0; i < exporters.length; i++) {
      try {
        const outcome = exporters[i]!.export(event);
        if (outcome !== undefined && outcome !== null && typeof (outcome as Promise<void>).then === "function") {
          this.track(outcome as Promise<void>, event, exporterTimeoutMs);
        }
      } catch (error) {
        this.reportExporterError(error, event);
      }
    }
  }

  /** @internal */
  reportInternalError(error: unknown): void {
    this.reportExporterError(error, undefined);
  }

  private reportExporterError(error: unknown, event: ExecutionEvent | undefined): void {
    try {
      this.resolved.onExporterError(error, event);
    } catch {
      // The error hook is user code too; its failure must not reach the caller.
    }
  }

  private track(outcome: Promise<void>, event: ExecutionEvent, timeoutMs: number): void {
    const promise = Promise.resolve(outcome).then(
      () => {
        this.pending.delete(promise);
      },
      (error: unknown) => {
        if (this.pending.delete(promise)) this.reportExporterError(error, event);
      },
    );
    this.pending.set(promise, { event, deadline: Date.now() + timeoutMs, timeoutMs });
  }

  // An export that never settles must not hold flush() forever: past its
  // deadline it is reported once as timed out and no longer waited for.
  private async settlePending(): Promise<void> {
    while (this.pending.size > 0) {
      let nearest = Infinity;
      for (const entry of this.pending.values()) nearest = Math.min(nearest, entry.deadline);
      const wait = Math.max(0, nearest - Date.now());
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(this.pending.keys()),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, wait);
        }),
      ]);
      clearTimeout(timer);
      const now = Date.now();
      for (const [promise, entry] of this.pending) {
        if (entry.deadline <= now) {
          this.pending.delete(promise);
          this.reportExporterError(
            new ExporterTimeoutError(`exporter did not settle within ${entry.timeoutMs} ms`),
            entry.event,
          );
        }
      }
    }
  }

  private async eachExporter(step: (exporter: Exporter) => void | Promise<void>): Promise<void> {
    const results = await Promise.allSettled(
      this.resolved.exporters.map(async (exporter) => {
        await step(exporter);
      }),
    );
    for (const result of results) {
      if (result.status === "rejected") this.reportExporterError(result.reason, undefined);
    }
  }
}
