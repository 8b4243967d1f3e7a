/**
 * Where evidence faults go: the user's `onError`, else stderr through core's
 * throttled log, one channel per kind of fault, at most one line per kind per
 * 10 s and then a count of the ones held back, so a full disk cannot flood
 * the terminal. Never throws.
 */
import { ThrottledLog } from "../core/exporter-error-log.js";
import { userCopy } from "../core/shared-event.js";
import type { ExecutionEvent } from "../core/types.js";
import type { EvidenceError } from "./errors.js";

const LINES_PER_KIND = 1;

export class ErrorReporter {
  private readonly logs = new Map<string, ThrottledLog>();

  constructor(private readonly onError: ((error: EvidenceError, event?: ExecutionEvent) => void) | undefined) {}

  report(error: EvidenceError, event?: ExecutionEvent): void {
    try {
      if (this.onError !== undefined) {
        // A copy: the exporter's event may be the object other exporters share.
        this.onError(error, userCopy(event));
        return;
      }
      const channel = `evidence ${error.code}`;
      let log = this.logs.get(channel);
      if (log === undefined) this.logs.set(channel, (log = new ThrottledLog(channel, undefined, LINES_PER_KIND)));
      log.report(`${channel}: ${error.message}`);
    } catch {
      // the hook is user code; its failure must not stop the pipeline
    }
  }
}
