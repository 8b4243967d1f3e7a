import { OptionsReader, describeValue } from "../core/options/options-reader.js";
import type { ExecutionEvent, Exporter } from "../core/types.js";

/** Which event a full queue gives up. */
export type BoundedQueueStrategy = "drop-newest" | "drop-oldest";

/**
 * Why an event was dropped: the queue was full, the exporter was shutting
 * down, or the deadline given to `flush()`/`shutdown()` passed before the
 * event could be delivered (still queued, or in flight in an inner exporter
 * other than an `HttpExporter`, which reports its own with `ERR_DEADLINE`).
 */
export type BoundedQueueDropReason = "queue_full" | "shutdown" | "deadline";

/** Options of {@link BoundedQueueExporter}. */
export interface BoundedQueueExporterOptions {
  /** The (slow) exporter to protect. Required. */
  exporter: Exporter;
  /** Inner exports running at once. A positive integer; default `4`. */
  maxConcurrent?: number;
  /** Events waiting for a free slot. A positive integer; default `1000`. */
  maxQueue?: number;
  /**
   * What a full queue drops: `"drop-newest"` (default) the incoming event,
   * `"drop-oldest"` the longest-waiting one (the incoming event is queued).
   */
  strategy?: BoundedQueueStrategy;
  /**
   * How long one inner export may hold its slot, in milliseconds (at most
   * 2^31-1). After that the slot is released and the event counted as failed
   * and reported to `onInnerError` as timed out (the inner export itself is
   * not cancelled: its later outcome is ignored). Default `30000`.
   */
  exportTimeoutMs?: number;
  /**
   * How long `shutdown()` called without a deadline may take, in
   * milliseconds (at most 2^31-1): once it passes, it gives up what is still
   * queued or in flight as any deadline does. Default `10000`.
   */
  shutdownTimeoutMs?: number;
  /**
   * Called for every dropped event. Default: a stderr line for the first drop
   * and then every 1000th. A handler that throws is ignored.
   */
  onDrop?: (event: ExecutionEvent, reason: BoundedQueueDropReason) => void;
  /**
   * Called when an inner export throws, rejects or times out (with the
   * event), and when the inner `flush()`/`shutdown()` fails (without one).
   * Deliveries an inner `HttpExporter` reports as failed are counted in
   * `stats.failed` but not reported here: they already went to its `onError`.
   * Default: one stderr line (at most a few per second, then a summary).
   * A handler that throws is ignored.
   */
  onInnerError?: (error: unknown, event: ExecutionEvent | undefined) => void;
}

export interface ResolvedBoundedQueueOptions {
  exporter: Exporter;
  maxConcurrent: number;
  maxQueue: number;
  strategy: BoundedQueueStrategy;
  exportTimeoutMs: number;
  shutdownTimeoutMs: number;
  onDrop: BoundedQueueExporterOptions["onDrop"];
  onInnerError: BoundedQueueExporterOptions["onInnerError"];
}

const OWNER = "BoundedQueueExporter";
const KNOWN_FIELDS = ["exporter", "maxConcurrent", "maxQueue", "strategy", "exportTimeoutMs", "shutdownTimeoutMs", "onDrop", "onInnerError"];

/** @throws TypeError naming the first invalid option. */
export function resolveBoundedQueueOptions(
  options: BoundedQueueExporterOptions | undefined,
): ResolvedBoundedQueueOptions {
  if (options === undefined) throw new TypeError(`${OWNER}: options with an "exporter" are required`);
  const reader = new OptionsReader(OWNER, options, KNOWN_FIELDS);
  return {
    exporter: innerExporter(reader),
    maxConcurrent: reader.positiveInteger("maxConcurrent", 4),
    maxQueue: reader.positiveInteger("maxQueue", 1000),
    strategy: reader.oneOf("strategy", ["drop-newest", "drop-oldest"], "drop-newest"),
    exportTimeoutMs: reader.timeoutMs("exportTimeoutMs", undefined, 30_000),
    shutdownTimeoutMs: reader.timeoutMs("shutdownTimeoutMs", undefined, 10_000),
    onDrop: reader.function("onDrop"),
    onInnerError: reader.function("onInnerError"),
  };
}

function innerExporter(reader: OptionsReader): Exporter {
  const value = reader.raw("exporter");
  if (value === null || typeof value !== "object" || typeof (value as Exporter).export !== "function") {
    const got = value !== null && typeof value === "object" ? "an object without an export() method" : describeValue(value);
    throw new TypeError(`${OWNER}: "exporter" must be an exporter with an export() method, got ${got}`);
  }
  const { flush, shutdown } = value as Exporter;
  if (flush !== undefined && typeof flush !== "function") reader.fail("exporter", "has a \"flush\" that is not a function", false);
  if (shutdown !== undefined && typeof shutdown !== "function") {
    reader.fail("exporter", "has a \"shutdown\" that is not a function", false);
  }
  return value as Exporter;
}
