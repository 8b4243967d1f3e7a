import type { ExecutionEvent, Exporter } from "../core/types.js";
import { describeValue, oneOf, optionalFunction, optionsObject, positiveFiniteNumber, positiveInteger } from "./validate.js";

/** Which event a full queue gives up. */
export type BoundedQueueStrategy = "drop-newest" | "drop-oldest";

/** Why an event was dropped: the queue was full, or the exporter is shutting down. */
export type BoundedQueueDropReason = "queue_full" | "shutdown";

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
   * How long one inner export may hold its slot, in milliseconds. After that
   * the slot is released and the event counted as failed and reported to
   * `onInnerError` as timed out (the inner export itself is not cancelled:
   * its later outcome is ignored). Default `30000`.
   */
  exportTimeoutMs?: number;
  /**
   * Called for every dropped event. Default: a stderr line for the first drop
   * and then every 1000th. A handler that throws is ignored.
   */
  onDrop?: (event: ExecutionEvent, reason: BoundedQueueDropReason) => void;
  /**
   * Called when an inner export throws, rejects or times out (with the
   * event), and when the inner `flush()`/`shutdown()` fails (without one).
   * Default: one stderr line. A handler that throws is ignored.
   */
  onInnerError?: (error: unknown, event: ExecutionEvent | undefined) => void;
}

export interface ResolvedBoundedQueueOptions {
  exporter: Exporter;
  maxConcurrent: number;
  maxQueue: number;
  strategy: BoundedQueueStrategy;
  exportTimeoutMs: number;
  onDrop: BoundedQueueExporterOptions["onDrop"];
  onInnerError: BoundedQueueExporterOptions["onInnerError"];
}

const OWNER = "BoundedQueueExporter";

/** @throws TypeError naming the first invalid option. */
export function resolveBoundedQueueOptions(
  options: BoundedQueueExporterOptions | undefined,
): ResolvedBoundedQueueOptions {
  if (options === undefined) throw new TypeError(`${OWNER}: options with an "exporter" are required`);
  const opts = optionsObject(OWNER, options);
  return {
    exporter: innerExporter(opts.exporter),
    maxConcurrent: positiveInteger(OWNER, "maxConcurrent", opts.maxConcurrent, 4),
    maxQueue: positiveInteger(OWNER, "maxQueue", opts.maxQueue, 1000),
    strategy: oneOf(OWNER, "strategy", opts.strategy, ["drop-newest", "drop-oldest"], "drop-newest"),
    exportTimeoutMs: positiveFiniteNumber(OWNER, "exportTimeoutMs", opts.exportTimeoutMs, 30_000),
    onDrop: optionalFunction(OWNER, "onDrop", opts.onDrop),
    onInnerError: optionalFunction(OWNER, "onInnerError", opts.onInnerError),
  };
}

function innerExporter(value: unknown): Exporter {
  if (value === null || typeof value !== "object" || typeof (value as Exporter).export !== "function") {
    const got = value !== null && typeof value === "object" ? "an object without an export() method" : describeValue(value);
    throw new TypeError(`${OWNER}: "exporter" must be an exporter with an export() method, got ${got}`);
  }
  const { flush, shutdown } = value as Exporter;
  if (flush !== undefined && typeof flush !== "function") {
    throw new TypeError(`${OWNER}: "exporter.flush" must be a function when present`);
  }
  if (shutdown !== undefined && typeof shutdown !== "function") {
    throw new TypeError(`${OWNER}: "exporter.shutdown" must be a function when present`);
  }
  return value as Exporter;
}
