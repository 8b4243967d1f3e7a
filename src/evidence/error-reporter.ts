/**
 * Where evidence faults go: the user's `onError`, else one stderr line per
 * kind of fault per 10 s (with a count of the ones held back), so a full disk
 * cannot flood the terminal. Never throws.
 */
import type { ExecutionEvent } from "../core/types.js";
import type { EvidenceError } from "./errors.js";

const QUIET_MS = 10_000;

export class ErrorReporter {
  private readonly lastLine = new Map<string, { at: number; held: number }>();

  constructor(private readonly onError: ((error: EvidenceError, event?: ExecutionEvent) => void) | undefined) {}

  report(error: EvidenceError, event?: ExecutionEvent): void {
    try {
      if (this.onError !== undefined) {
        this.onError(error, event);
        return;
      }
      const now = Date.now();
      const last = this.lastLine.get(error.code);
      if (last !== undefined && now - last.at < QUIET_MS) {
        last.held++;
        return;
      }
      const held = last !== undefined && last.held > 0 ? ` (${last.held} similar held back)` : "";
      this.lastLine.set(error.code, { at: now, held: 0 });
      process.stderr.write(`intentproof evidence: ${error.code}: ${error.message}${held}\n`);
    } catch {
      // the hook is user code; its failure must not stop the pipeline
    }
  }
}
