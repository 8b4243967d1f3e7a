import { MAX_TIMER_MS } from "./options/options-reader.js";

/**
 * A bound on an exporter's `flush()` or `shutdown()`. When it passes, the
 * exporter stops waiting: requests in flight are aborted, nothing queued is
 * sent any more, and every event it could not deliver is reported as dropped
 * with a reason. The call still resolves (never rejects).
 */
export interface ExporterDeadline {
  /** Aborting this signal ends the wait at once. */
  signal?: AbortSignal;
  /** Milliseconds from the call, at most 2^31-1 (a larger value is clamped). */
  timeoutMs?: number;
  /** An absolute time (epoch milliseconds), as the client passes it from `shutdownTimeoutMs`. */
  deadline?: number;
}

/** One signal for a deadline, and the cleanup of its timer and listener. */
export interface DeadlineSignal {
  /** Aborted when the deadline passes; `undefined` when there is no deadline. */
  readonly signal: AbortSignal | undefined;
  /** When the deadline passes (epoch ms); `Infinity` when only a signal, or nothing, bounds it. */
  readonly deadline: number;
  dispose(): void;
}

const NO_DEADLINE: DeadlineSignal = Object.freeze({ signal: undefined, deadline: Infinity, dispose: () => undefined });

/**
 * Combines a deadline's `signal` and `timeoutMs` into one signal. A deadline
 * that is not an object, or a `timeoutMs` that is not a number, counts as no
 * bound from that field: flush and shutdown never throw over their argument.
 */
export function deadlineSignal(deadline: ExporterDeadline | undefined): DeadlineSignal {
  if (deadline === null || typeof deadline !== "object") return NO_DEADLINE;
  const { signal, deadline: at } = deadline;
  const outer = signal instanceof AbortSignal ? signal : undefined;
  const timeouts: number[] = [];
  // Infinity (or NaN) bounds nothing: no timer for it.
  if (typeof deadline.timeoutMs === "number" && Number.isFinite(deadline.timeoutMs)) timeouts.push(deadline.timeoutMs);
  if (typeof at === "number" && Number.isFinite(at)) timeouts.push(at - Date.now());
  const hasTimeout = timeouts.length > 0;
  const timeoutMs = Math.min(...timeouts);
  if (outer === undefined && !hasTimeout) return NO_DEADLINE;
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  let timer: NodeJS.Timeout | undefined;
  if (outer?.aborted) controller.abort();
  else outer?.addEventListener("abort", abort, { once: true });
  if (hasTimeout && !controller.signal.aborted) {
    timer = setTimeout(abort, Math.min(Math.max(timeoutMs, 0), MAX_TIMER_MS));
    timer.unref();
  }
  return {
    signal: controller.signal,
    deadline: hasTimeout ? Date.now() + Math.max(timeoutMs, 0) : Infinity,
    dispose() {
      if (timer !== undefined) clearTimeout(timer);
      outer?.removeEventListener("abort", abort);
    },
  };
}

/** Resolves `true` once `work` settles, or `false` if `signal` aborts first. Never rejects. */
export function settledBefore(work: Promise<unknown>, signal: AbortSignal | undefined): Promise<boolean> {
  const done = work.then(
    () => true,
    () => true,
  );
  if (signal === undefined) return done;
  if (signal.aborted) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    const onAbort = (): void => resolve(false);
    signal.addEventListener("abort", onAbort, { once: true });
    void done.then(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    });
  });
}
