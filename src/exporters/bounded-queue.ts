import type { ExecutionEvent, Exporter } from "../core/types.js";
import {
  resolveBoundedQueueOptions,
  type BoundedQueueDropReason,
  type BoundedQueueExporterOptions,
  type ResolvedBoundedQueueOptions,
} from "./bounded-queue-options.js";
import { RingBuffer } from "./ring-buffer.js";
import { HttpExporter } from "./http.js";
import { describeError, eventIdOf, writeStderrLine } from "./stderr.js";

export type {
  BoundedQueueDropReason,
  BoundedQueueExporterOptions,
  BoundedQueueStrategy,
} from "./bounded-queue-options.js";

/** Counters of a {@link BoundedQueueExporter}. */
export interface BoundedQueueStats {
  /** Inner exports that settled successfully. */
  exported: number;
  /** Inner exports that threw, rejected or timed out. */
  failed: number;
  /** Events given up (queue full or shutting down), each reported to `onDrop`. */
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
 * - `flush()` resolves once nothing is queued or running, then awaits the
 *   inner `flush()`.
 * - `shutdown()` stops accepting (later events go to `onDrop(event, "shutdown")`),
 *   drains what is queued, then calls the inner `shutdown()` (or `flush()`).
 * - Every event handed to `export` ends up in exactly one of the `stats`
 *   counters `exported`, `failed` or `dropped` (or is still `queued`/`inFlight`).
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

  /** @throws TypeError naming the first invalid option. */
  constructor(options: BoundedQueueExporterOptions) {
    this.options = resolveBoundedQueueOptions(options);
    this.queue = new RingBuffer<ExecutionEvent>(this.options.maxQueue);
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

  /** Resolves once nothing is queued or running, then after the inner `flush()`. Never rejects. */
  async flush(): Promise<void> {
    await this.whenIdle();
    await this.callInner("flush");
  }

  /**
   * Stops accepting events, drains the queue, then shuts the inner exporter
   * down (or flushes it when it has no `shutdown`). Idempotent; never rejects.
   */
  shutdown(): Promise<void> {
    this.shutdownDone ??= this.drainAndShutDown();
    return this.shutdownDone;
  }

  private async drainAndShutDown(): Promise<void> {
    this.accepting = false;
    await this.whenIdle();
    await this.callInner(this.options.exporter.shutdown ? "shutdown" : "flush");
  }

  private start(event: ExecutionEvent): void {
    this.running++;
    let settled = false;
    let deadline: NodeJS.Timeout | undefined;
    const finish = (error?: { value: unknown }): void => {
      if (settled) return;
      settled = true;
      if (deadline !== undefined) clearTimeout(deadline);
      this.running--;
      if (error === undefined) {
        this.exported++;
      } else {
        this.failed++;
        this.reportInner(error.value, event);
      }
      this.pump();
    };

    let result: unknown;
    try {
      const inner = this.options.exporter;
      result = inner instanceof HttpExporter ? inner.send(event) : inner.export(event);
    } catch (error) {
      finish({ value: error });
      return;
    }
    if (result === null || (typeof result !== "object" && typeof result !== "function")) {
      finish();
      return;
    }
    const { exportTimeoutMs } = this.options;
    deadline = setTimeout(() => finish({ value: new InnerExportTimeoutError("export", exportTimeoutMs) }), exportTimeoutMs);
    deadline.unref();
    // Promise.resolve also adopts foreign thenables and turns a throwing `then` into a rejection.
    Promise.resolve(result).then(
      () => finish(),
      (error: unknown) => finish({ value: error }),
    );
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

  // The inner flush/shutdown gets the same deadline as one export, so a stuck
  // inner exporter cannot hang the application's shutdown.
  private async callInner(operation: "flush" | "shutdown"): Promise<void> {
    const { exporter, exportTimeoutMs } = this.options;
    let deadline: NodeJS.Timeout | undefined;
    try {
      const outcome = Promise.resolve(exporter[operation]?.());
      const expired = new Promise<"expired">((resolve) => {
        deadline = setTimeout(() => resolve("expired"), exportTimeoutMs);
        deadline.unref();
      });
      if ((await Promise.race([outcome, expired])) === "expired") {
        this.reportInner(new InnerExportTimeoutError(operation, exportTimeoutMs), undefined);
      }
    } catch (error) {
      this.reportInner(error, undefined);
    } finally {
      if (deadline !== undefined) clearTimeout(deadline);
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
      onDrop(event, reason);
    } catch {
      // A failing drop handler must not break the exporter.
    }
  }

  private reportInner(error: unknown, event: ExecutionEvent | undefined): void {
    const onInnerError = this.options.onInnerError;
    if (onInnerError === undefined) {
      const subject = event === undefined ? "inner flush/shutdown" : `inner export of event ${eventIdOf(event)}`;
      writeStderrLine(`BoundedQueueExporter: ${subject} failed: ${describeError(error)}`);
      return;
    }
    try {
      onInnerError(error, event);
    } catch {
      // A failing error handler must not break the exporter.
    }
  }
}
