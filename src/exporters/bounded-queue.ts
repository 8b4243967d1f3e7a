import type { ExecutionEvent, Exporter } from "../core/types.js";
import {
  resolveBoundedQueueOptions,
  type BoundedQueueDropReason,
  type BoundedQueueExporterOptions,
  type ResolvedBoundedQueueOptions,
} from "./bounded-queue-options.js";
import { RingBuffer } from "./ring-buffer.js";
import { HttpExporter } from "./http.js";
import { deadlineSignal, settledBefore, type DeadlineSignal, type ExporterDeadline } from "../core/exporter-deadline.js";
import { describeError, eventIdOf, ThrottledLog, writeStderrLine } from "./stderr.js";
import { isTrustedExporter, trustExporter, userCopy } from "../core/shared-event.js";

export type {
  BoundedQueueDropReason,
  BoundedQueueExporterOptions,
  BoundedQueueStrategy,
} from "./bounded-queue-options.js";

/** Counters of a {@link BoundedQueueExporter}. */
export interface BoundedQueueStats {
  /**
   * Events the inner exporter delivered: its export settled successfully
   * (for an inner `HttpExporter`: the collector answered 2xx).
   */
  exported: number;
  /**
   * Events the inner exporter failed to deliver: its export threw, rejected
   * or timed out, or an inner `HttpExporter` reported the delivery as failed
   * (non-2xx answer, network error, request timeout, request aborted at a
   * deadline: `ERR_DEADLINE`).
   */
  failed: number;
  /**
   * Events given up, each reported to `onDrop`: the queue was full, it was
   * shutting down, or a deadline passed while the event was still queued (or
   * in flight in an inner exporter other than an `HttpExporter`).
   */
  dropped: number;
  /** Events waiting for a slot now. */
  queued: number;
  /** Inner exports running now. */
  inFlight: number;
}

/** Reported to `onInnerError` when an inner export holds its slot past `exportTimeoutMs`. */
export class InnerExportTimeoutError extends Error {
  override readonly name = "InnerExportTimeoutError";
  readonly code = "ETIMEDOUT";

  constructor(operation: string, timeoutMs: number) {
    super(`BoundedQueueExporter: inner ${operation} timed out after ${timeoutMs} ms`);
  }
}

const DROP_LOG_EVERY = 1000;

/** How one inner export ended. */
type Outcome = { kind: "delivered" } | { kind: "failed"; error: unknown; reported: boolean } | { kind: "dropped" };

const DELIVERED: Outcome = { kind: "delivered" };
const DROPPED: Outcome = { kind: "dropped" };

/**
 * Puts a bounded backlog and a concurrency limit in front of a slow exporter
 * (typically an `HttpExporter`), so a struggling collector costs bounded
 * memory and never slows the calls being recorded.
 *
 * - `export(event)` is synchronous and never blocks or throws: the event
 *   starts at once when fewer than `maxConcurrent` inner exports run, else it
 *   waits in a FIFO of at most `maxQueue` events. A full queue drops the
 *   incoming event (`"drop-newest"`) or the oldest waiting one
 *   (`"drop-oldest"`); every dropped event goes to `onDrop(event, "queue_full")`.
 * - An inner export that throws or rejects goes to `onInnerError(error, event)`.
 *   One that has not settled after `exportTimeoutMs` (default 30 s) releases
 *   its slot and is reported as an {@link InnerExportTimeoutError}; its later
 *   outcome is ignored. Timers are `unref()`ed.
 * - `flush(deadline?)` resolves once nothing is queued or running, then
 *   awaits the inner `flush()`.
 * - `shutdown(deadline?)` stops accepting (later events go to
 *   `onDrop(event, "shutdown")`), drains what is queued, then calls the inner
 *   `shutdown()` (or `flush()`). Without a deadline it is bounded by
 *   `shutdownTimeoutMs` (default 10 s).
 * - When a deadline (`{ signal?, timeoutMs? }`) passes, every event still
 *   queued goes to `onDrop(event, "deadline")`, and the inner exporter's
 *   `flush`/`shutdown` is called with the expired deadline. An event in
 *   flight was handed on: an inner `HttpExporter` aborts its request and
 *   reports it to its own `onError` (`ERR_DEADLINE`, counted as `failed`);
 *   in any other inner exporter it goes to `onDrop(event, "deadline")` at
 *   once, and its later outcome is ignored.
 * - Every event handed to `export` ends up in exactly one of the `stats`
 *   counters `exported`, `failed` or `dropped` (or is still `queued`/`inFlight`),
 *   and is reported at most once, by one component.
 *
 * An inner export occupies its slot until the promise it returns settles.
 * An inner `HttpExporter` is driven through its `send()`, which always
 * returns that promise, so the concurrency limit bounds the requests in
 * flight whatever its `awaitEach` says.
 *
 * @example
 * new BoundedQueueExporter({
 *   exporter: new HttpExporter({ url: "https://collector.example.com/v1/events" }),
 *   maxConcurrent: 8,
 *   maxQueue: 5000,
 *   strategy: "drop-oldest",
 *   onDrop: (event, reason) => metrics.increment("intentproof.dropped", { reason }),
 * });
 */
export class BoundedQueueExporter implements Exporter {
  private readonly options: ResolvedBoundedQueueOptions;
  private readonly queue: RingBuffer<ExecutionEvent>;
  private running = 0;
  private exported = 0;
  private failed = 0;
  private dropped = 0;
  private accepting = true;
  private pumping = false;
  private idleWaiters: Array<() => void> = [];
  private shutdownDone: Promise<void> | undefined;
  /**
   * Each export in flight (the same event may be exported twice): the
   * function that ends it, and, when the inner exporter reports its failures
   * itself (an `HttpExporter`), the promise that settles once it has.
   */
  private readonly inFlightExports = new Map<(outcome: Outcome) => void, Promise<void> | undefined>();
  private readonly stderr = new ThrottledLog("BoundedQueueExporter");

  /** @throws TypeError naming the first invalid option. */
  constructor(options: BoundedQueueExporterOptions) {
    this.options = resolveBoundedQueueOptions(options);
    this.queue = new RingBuffer<ExecutionEvent>(this.options.maxQueue);
    // It never changes an event and gives its hooks copies: it may share the
    // object other exporters hold when its inner exporter may too.
    if (new.target === BoundedQueueExporter && isTrustedExporter(this.options.exporter)) trustExporter(this);
  }

  /** A snapshot of the counters. */
  get stats(): BoundedQueueStats {
    return {
      exported: this.exported,
      failed: this.failed,
      dropped: this.dropped,
      queued: this.queue.size,
      inFlight: this.running,
    };
  }

  /** Starts, queues or drops `event`; never blocks, never throws. */
  export(event: ExecutionEvent): void {
    if (!this.accepting) {
      this.drop(event, "shutdown");
      return;
    }
    if (this.running < this.options.maxConcurrent && this.queue.size === 0) {
      this.start(event);
      return;
    }
    if (this.queue.isFull) {
      if (this.options.strategy === "drop-newest") {
        this.drop(event, "queue_full");
        return;
      }
      this.drop(this.queue.shift() as ExecutionEvent, "queue_full");
    }
    this.queue.push(event);
  }

  /**
   * Resolves once nothing is queued or running, then after the inner
   * `flush()`. When `deadline` passes first, what is still queued or in
   * flight is dropped (`"deadline"`). Never rejects.
   */
  async flush(deadline?: ExporterDeadline): Promise<void> {
    const bound = deadlineSignal(deadline);
    try {
      await this.drainThen("flush", bound);
    } finally {
      bound.dispose();
    }
  }

  /**
   * Stops accepting events, drains the queue, then shuts the inner exporter
   * down (or flushes it when it has no `shutdown`), all within `deadline`
   * (default: `shutdownTimeoutMs`). Idempotent; never rejects.
   */
  shutdown(deadline?: ExporterDeadline): Promise<void> {
    this.accepting = false;
    const bound = deadlineSignal(deadline ?? { timeoutMs: this.options.shutdownTimeoutMs });
    const signal = bound.signal;
    const operation = this.options.exporter.shutdown ? "shutdown" : "flush";
    if (this.shutdownDone === undefined) {
      this.shutdownDone = this.drainThen(operation, bound).then(() => this.stderr.printSummary());
    } else if (signal !== undefined) {
      // A later call may bring a tighter deadline.
      const tighter = (): void => {
        // Only an inner HttpExporter is left exports to abort; others are not shut down twice.
        if (this.giveUp() !== undefined) void this.callInner(operation, bound);
      };
      if (signal.aborted) tighter();
      else signal.addEventListener("abort", tighter, { once: true });
    }
    // Never rejects; the same promise for every call.
    void this.shutdownDone.then(() => bound.dispose());
    return this.shutdownDone;
  }

  /** Waits until idle, then calls the inner `operation`; gives up first if the deadline passes. */
  private async drainThen(operation: "flush" | "shutdown", outer: DeadlineSignal): Promise<void> {
    if (await settledBefore(this.whenIdle(), outer.signal)) {
      await this.callInner(operation, outer);
      return;
    }
    const leftToInner = this.giveUp();
    // The expired deadline makes an inner HttpExporter abort, and report, what it still sends.
    await this.callInner(operation, outer);
    await leftToInner;
  }

  /**
   * The deadline passed. What is still queued was never handed on: it is
   * dropped. An export in flight belongs to the inner exporter: an
   * `HttpExporter` reports its failure itself (`ERR_DEADLINE` once handed the
   * expired deadline), so it is left to it; any other inner export may never
   * settle, so it is dropped now and its later outcome ignored.
   * @returns a promise that settles once the exports left to the inner
   * exporter have ended, or `undefined` when none was.
   */
  private giveUp(): Promise<unknown> | undefined {
    while (this.queue.size > 0) this.drop(this.queue.shift() as ExecutionEvent, "deadline");
    const leftToInner: Array<Promise<void>> = [];
    for (const [end, reportedByInner] of [...this.inFlightExports]) {
      if (reportedByInner === undefined) end(DROPPED);
      else leftToInner.push(reportedByInner);
    }
    return leftToInner.length === 0 ? undefined : Promise.allSettled(leftToInner);
  }

  private start(event: ExecutionEvent): void {
    this.running++;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (outcome: Outcome): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      this.inFlightExports.delete(finish);
      this.running--;
      if (outcome.kind === "delivered") {
        this.exported++;
      } else if (outcome.kind === "failed") {
        this.failed++;
        if (!outcome.reported) this.reportInner(outcome.error, event);
      } else {
        this.drop(event, "deadline");
      }
      this.pump();
    };

    let result: unknown;
    const inner = this.options.exporter;
    const viaSend = inner instanceof HttpExporter;
    try {
      result = viaSend ? inner.send(event) : inner.export(event);
    } catch (error) {
      finish({ kind: "failed", error, reported: false });
      return;
    }
    if (result === null || (typeof result !== "object" && typeof result !== "function")) {
      finish(DELIVERED);
      return;
    }
    const { exportTimeoutMs } = this.options;
    timer = setTimeout(
      () => finish({ kind: "failed", error: new InnerExportTimeoutError("export", exportTimeoutMs), reported: false }),
      exportTimeoutMs,
    );
    timer.unref();
    // Promise.resolve also adopts foreign thenables and turns a throwing `then` into a rejection.
    const ended = Promise.resolve(result).then(
      // HttpExporter.send resolves to the error it already reported to its own onError.
      (value: unknown) => finish(viaSend && value !== undefined ? { kind: "failed", error: value, reported: true } : DELIVERED),
      (error: unknown) => finish({ kind: "failed", error, reported: false }),
    );
    this.inFlightExports.set(finish, viaSend ? ended : undefined);
  }

  // Fills free slots from the queue. Guarded against re-entry: a synchronous
  // inner export finishes inside `start`, and the outer loop carries on.
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.running < this.options.maxConcurrent && this.queue.size > 0) {
        this.start(this.queue.shift() as ExecutionEvent);
      }
    } finally {
      this.pumping = false;
    }
    if (this.running === 0 && this.queue.size === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  private whenIdle(): Promise<void> {
    if (this.running === 0 && this.queue.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  // The inner flush/shutdown gets the same bound as one export, so a stuck
  // inner exporter cannot hang the application's shutdown, and it is handed
  // the caller's deadline so it can abort its own work in time.
  private async callInner(operation: "flush" | "shutdown", outer: DeadlineSignal): Promise<void> {
    const { exporter, exportTimeoutMs } = this.options;
    const signal = outer.signal;
    const bound = deadlineSignal({ signal, timeoutMs: exportTimeoutMs });
    try {
      const call = exporter[operation];
      const outcome = Promise.resolve(call?.call(exporter, signal === undefined ? undefined : { signal, deadline: outer.deadline }));
      if (!(await settledBefore(outcome, bound.signal))) {
        // Past the caller's deadline every event is already accounted for, or left to the inner exporter.
        if (signal?.aborted !== true) this.reportInner(new InnerExportTimeoutError(operation, exportTimeoutMs), undefined);
        outcome.catch(() => undefined);
        return;
      }
      await outcome;
    } catch (error) {
      this.reportInner(error, undefined);
    } finally {
      bound.dispose();
    }
  }

  private drop(event: ExecutionEvent, reason: BoundedQueueDropReason): void {
    this.dropped++;
    const onDrop = this.options.onDrop;
    if (onDrop === undefined) {
      if (this.dropped === 1 || this.dropped % DROP_LOG_EVERY === 0) {
        writeStderrLine(`BoundedQueueExporter: dropped ${this.dropped} event(s) so far (latest: ${reason})`);
      }
      return;
    }
    try {
      onDrop(userCopy(event), reason);
    } catch {
      // A failing drop handler must not break the exporter.
    }
  }

  private reportInner(error: unknown, event: ExecutionEvent | undefined): void {
    const onInnerError = this.options.onInnerError;
    if (onInnerError === undefined) {
      const subject = event === undefined ? "inner flush/shutdown" : `inner export of event ${eventIdOf(event)}`;
      this.stderr.report(`BoundedQueueExporter: ${subject} failed: ${describeError(error)}`);
      return;
    }
    try {
      onInnerError(error, userCopy(event));
    } catch {
      // A failing error handler must not break the exporter.
    }
  }
}
