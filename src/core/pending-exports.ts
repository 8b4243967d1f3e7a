import type { ExecutionEvent } from "./types.js";

/** How a failure or a drop is reported: the `onExporterError` in force when the event was emitted. */
export type ExporterErrorReporter = (error: unknown, event: ExecutionEvent | undefined) => void;

/**
 * Raised through `onExporterError` when an exporter's promise outlives
 * `exporterTimeoutMs` (code `EXPORTER_TIMEOUT`), or when `flush()`/`shutdown()`
 * reached `shutdownTimeoutMs` before an export or an exporter's own
 * flush/shutdown finished (code `SHUTDOWN_TIMEOUT`: the event is dropped).
 */
export class ExporterTimeoutError extends Error {
  override readonly name = "ExporterTimeoutError";
  readonly code: "EXPORTER_TIMEOUT" | "SHUTDOWN_TIMEOUT";

  constructor(message: string, code: "EXPORTER_TIMEOUT" | "SHUTDOWN_TIMEOUT" = "EXPORTER_TIMEOUT") {
    super(message);
    this.code = code;
  }
}

interface PendingExport {
  readonly event: ExecutionEvent;
  readonly deadline: number;
  readonly timeoutMs: number;
  readonly report: ExporterErrorReporter;
}

/**
 * The export promises still settling, so `flush()` can wait for them. Lives
 * as long as its client, across `configure` calls.
 */
export class PendingExports {
  private readonly pending = new Map<Promise<unknown>, PendingExport>();

  get size(): number {
    return this.pending.size;
  }

  /** Follows one export's promise; a rejection is reported once with its event. */
  track(outcome: PromiseLike<unknown>, event: ExecutionEvent, timeoutMs: number, report: ExporterErrorReporter): void {
    const promise = Promise.resolve(outcome).then(
      () => {
        this.pending.delete(promise);
      },
      (error: unknown) => {
        if (this.pending.delete(promise)) report(error, event);
      },
    );
    this.pending.set(promise, { event, deadline: Date.now() + timeoutMs, timeoutMs, report });
  }

  /**
   * Waits until every tracked export has settled. An export past its own
   * `exporterTimeoutMs` is reported once as timed out and no longer waited
   * for; at `deadline` every export still pending is reported as dropped.
   */
  async settle(deadline: number): Promise<void> {
    while (this.pending.size > 0) {
      let nearest = deadline;
      for (const entry of this.pending.values()) nearest = Math.min(nearest, entry.deadline);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(this.pending.keys()),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, Math.max(0, nearest - Date.now()));
        }),
      ]);
      clearTimeout(timer);
      const now = Date.now();
      const pastDeadline = now >= deadline;
      for (const [promise, entry] of this.pending) {
        if (entry.deadline <= now) {
          this.pending.delete(promise);
          entry.report(new ExporterTimeoutError(`exporter did not settle within ${entry.timeoutMs} ms`), entry.event);
        } else if (pastDeadline) {
          this.pending.delete(promise);
          entry.report(
            new ExporterTimeoutError(
              "dropped: the export was still pending when the flush/shutdown deadline (shutdownTimeoutMs) passed",
              "SHUTDOWN_TIMEOUT",
            ),
            entry.event,
          );
        }
      }
    }
  }
}
