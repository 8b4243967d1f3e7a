import { resolveConfig, type ResolvedConfig } from "./config.js";
import {
  correlationIdProblem,
  currentScope,
  getCorrelationId,
  newCorrelationId,
  runInScope,
  trimAsciiWhitespace,
} from "./correlation.js";
import { recordedFunction, startExecution, type Execution } from "./execution.js";
import { MemoryExporter } from "../exporters/memory.js";
import { ExporterTimeoutError } from "./pending-exports.js";
import { printHeldErrorSummaries } from "./exporter-error-log.js";
import type {
  AnyExporter,
  ExporterDrainOptions,
  IntentProofConfig,
  IntentProofConfigDocument,
  WrapOptions,
  WrapOptionsWithFn,
} from "./types.js";
import { prepareWrap, type WrapPlan } from "./wrap-plan.js";
import { WRAP_OPTIONS_OWNER } from "./wrap-options.js";

export { ExporterTimeoutError } from "./pending-exports.js";

function defaultExporters(): AnyExporter[] {
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
 * into a wrapped call. The hot path itself lives in `execution.ts`.
 */
export class IntentProofClient {
  private resolved: ResolvedConfig;

  /**
   * @param config a programmatic `IntentProofConfig`, or the spec's
   * `intentproof_config.v1` document (recognised by its `version` field).
   */
  constructor(config?: IntentProofConfig | IntentProofConfigDocument) {
    this.resolved = resolveConfig(config, undefined, defaultExporters);
  }

  /** @internal The validated configuration in force. */
  get config(): ResolvedConfig {
    return this.resolved;
  }

  /** The exporters events go to, in the order they are called. */
  get exporters(): readonly AnyExporter[] {
    return this.resolved.exporters;
  }

  /**
   * Re-applies the given fields (a config or an `intentproof_config.v1`
   * document); absent ones keep their value. Throws a TypeError (and changes
   * nothing) on a bad field.
   */
  configure(config: IntentProofConfig | IntentProofConfigDocument): this {
    const replaced = this.resolved.policyMonitor;
    this.resolved = resolveConfig(config, this.resolved, defaultExporters);
    // New policies replace the monitor: the old one closes and judges the flows it holds.
    if (replaced !== undefined && replaced !== this.resolved.policyMonitor) {
      Promise.resolve()
        .then(() => replaced.shutdown?.())
        .catch((error: unknown) => this.resolved.reportExporterError(error, undefined));
    }
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
    return recordedFunction(this, prepareWrap(options, WRAP_OPTIONS_OWNER), fn);
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

  /**
   * Runs `fn` under a fresh UUID v4, or under `id` trimmed (a blank `id` also
   * gets a fresh UUID). An `id` that is not printable ASCII of at most 128
   * characters after trimming throws a TypeError.
   */
  withCorrelation<T>(fn: () => T): T;
  withCorrelation<T>(id: string, fn: () => T): T;
  withCorrelation<T>(idOrFn: string | (() => T), maybeFn?: () => T): T {
    const fn = typeof idOrFn === "function" ? idOrFn : maybeFn;
    if (typeof fn !== "function") throw new TypeError('intentproof: withCorrelation: "fn" must be a function');
    let correlationId = typeof idOrFn === "string" ? trimAsciiWhitespace(idOrFn) : "";
    if (correlationId === "") {
      correlationId = newCorrelationId();
    } else {
      const problem = correlationIdProblem(correlationId);
      if (problem !== undefined) throw new TypeError(`intentproof: withCorrelation: "id" ${problem}`);
    }
    const outer = currentScope();
    return runInScope({ correlationId, attributes: outer?.attributes, client: outer?.client }, fn);
  }

  /**
   * Waits for exporter promises still settling, then for every exporter's
   * `flush()`, in parallel; at most `shutdownTimeoutMs` in all. What is still
   * undelivered then is reported as dropped. Never rejects.
   */
  async flush(): Promise<void> {
    await this.drain((exporter, options) => exporter.flush?.(options));
  }

  /**
   * Like `flush()`, but calls each exporter's `shutdown()` (else `flush()`).
   * Bounded by `shutdownTimeoutMs`. Never rejects. Then prints the summary
   * lines the default error output still held back.
   */
  async shutdown(): Promise<void> {
    await this.drain((exporter, options) =>
      exporter.shutdown ? exporter.shutdown(options) : exporter.flush?.(options),
    );
    printHeldErrorSummaries();
  }

  /** @internal A failure of telemetry itself (not of one event's export). */
  reportInternalError(error: unknown): void {
    this.resolved.reportExporterError(error, undefined);
  }

  private async drain(
    step: (exporter: AnyExporter, options: ExporterDrainOptions) => void | Promise<void>,
  ): Promise<void> {
    const config = this.resolved;
    const timeoutMs = config.shutdownTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadlinePassed = new Promise<"deadline">((resolve) => {
      timer = setTimeout(() => {
        controller.abort(new ExporterTimeoutError(`shutdownTimeoutMs (${timeoutMs} ms) passed`, "SHUTDOWN_TIMEOUT"));
        // An exporter that honours the abort reports what it still held within
        // the ticks that follow (an aborted request errors on the next tick):
        // it is not timed out for that. One that ignores it is, right after.
        setImmediate(resolve, "deadline");
      }, timeoutMs);
    });
    try {
      await config.pendingExports.settle(deadline);
      const options: ExporterDrainOptions = { signal: controller.signal, deadline };
      await Promise.all(
        config.exporters.map(async (exporter) => {
          try {
            const outcome = await Promise.race([Promise.resolve(step(exporter, options)), deadlinePassed]);
            if (outcome === "deadline") {
              config.reportExporterError(
                new ExporterTimeoutError(
                  `dropped: the exporter's flush/shutdown did not finish within shutdownTimeoutMs (${timeoutMs} ms); what it still held is undelivered`,
                  "SHUTDOWN_TIMEOUT",
                ),
                undefined,
              );
            }
          } catch (error) {
            config.reportExporterError(error, undefined);
          }
        }),
      );
    } finally {
      clearTimeout(timer);
    }
  }
}
