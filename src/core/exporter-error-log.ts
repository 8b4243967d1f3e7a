/**
 * Default reporting of exporter failures on stderr, bounded: during an outage
 * every event fails, and one line per event would flood the logs (thousands
 * of lines a second) and cost the service real time. Each channel prints its
 * first few lines of a window, then one summary line for the rest: when the
 * window ends, when the client shuts down, or when the process exits,
 * whichever comes first.
 */
import type { ExecutionEvent } from "./types.js";

/** Lines printed per channel and window before failures are only counted. */
export const ERROR_LOG_LINES_PER_WINDOW = 5;
/** Length of a reporting window in milliseconds. */
export const ERROR_LOG_WINDOW_MS = 10_000;

/** One line on stderr; a closed or broken stderr is ignored (nothing is left to report to). */
export function writeStderrLine(message: string): void {
  try {
    process.stderr.write(`intentproof: ${message}\n`);
  } catch {
    // Nothing sensible is left to report to.
  }
}

/** Channels holding back a summary, so shutdown and process exit can print it. */
const heldSummaries = new Set<ThrottledLog>();
let exitHookInstalled = false;

function holdSummary(log: ThrottledLog): void {
  heldSummaries.add(log);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // An "exit" listener never keeps the process alive, and stderr writes to
  // files, pipes and terminals are synchronous on Linux, so the lines get out.
  process.on("exit", printHeldErrorSummaries);
}

/**
 * Prints now every summary line still held back (failures counted but not
 * shown yet), instead of at the end of its window: the client calls it on
 * `shutdown()`, and it runs when the process exits.
 */
export function printHeldErrorSummaries(): void {
  for (const log of [...heldSummaries]) log.printSummary();
}

/**
 * A stderr channel that prints at most `ERROR_LOG_LINES_PER_WINDOW` lines per
 * `ERROR_LOG_WINDOW_MS`; further lines are counted, and when the window ends
 * one summary line gives their number and the latest of them.
 */
export class ThrottledLog {
  private windowStart = -Infinity;
  private printed = 0;
  private suppressed = 0;
  private latest = "";
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly channel: string,
    private readonly write: (line: string) => void = writeStderrLine,
    private readonly linesPerWindow = ERROR_LOG_LINES_PER_WINDOW,
    private readonly windowMs = ERROR_LOG_WINDOW_MS,
  ) {}

  report(line: string): void {
    const now = Date.now();
    if (now - this.windowStart >= this.windowMs) {
      this.printSummary();
      this.windowStart = now;
      this.printed = 0;
    }
    if (this.printed < this.linesPerWindow) {
      this.printed++;
      this.write(line);
      return;
    }
    this.suppressed++;
    this.latest = line;
    if (this.suppressed === 1) holdSummary(this);
    if (this.timer === undefined) {
      // The summary must appear even if the failures stop; unref'd so it never holds the process open.
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.printSummary();
      }, Math.max(0, this.windowStart + this.windowMs - now));
      this.timer.unref();
    }
  }

  /** Prints the summary of the lines held back so far, if any. */
  printSummary(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    heldSummaries.delete(this);
    if (this.suppressed === 0) return;
    const count = this.suppressed;
    this.suppressed = 0;
    this.write(
      `${this.channel}: ${count} more failure(s) not shown in the last ${this.windowMs / 1000} s (latest: ${this.latest})`,
    );
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  try {
    return String(error);
  } catch {
    return "unknown error";
  }
}

// Through console.error, where applications (and their log shippers) expect a library's complaints.
const clientErrorLog = new ThrottledLog("exporter failures", (line) => {
  try {
    console.error(`intentproof: ${line}`);
  } catch {
    // A broken console: nothing sensible is left to report to.
  }
});

/**
 * Default `onExporterError`: a line on stderr (never the event's contents),
 * throttled and summarised so an outage prints a bounded number of lines.
 */
export function logExporterError(error: unknown, event: ExecutionEvent | undefined): void {
  let where = "";
  try {
    where = event ? ` (event ${String(event.id)}, action ${String(event.action)})` : "";
  } catch {
    // A hostile event object: the line goes out without it.
  }
  clientErrorLog.report(`exporter failed${where}: ${describeError(error)}`);
}
