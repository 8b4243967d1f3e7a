/** A recording whose event is not settled yet. */
export interface PendingRecording {
  /** Settles the event now with what is known (used when the process is shutting down). */
  settleNow(): void;
}

// Recorded requests whose events are not settled yet, so a shutdown can wait
// for them: a response cut by the drain deadline reports its 'close' a few
// turns after the server has closed, and a handler still running after its
// response holds its event back.
const pending = new Set<PendingRecording>();
let idle: Array<() => void> = [];

export function recordingStarted(recording: PendingRecording): void {
  pending.add(recording);
}

export function recordingSettled(recording: PendingRecording): void {
  if (!pending.delete(recording) || pending.size !== 0 || idle.length === 0) return;
  const waiters = idle;
  idle = [];
  for (const wake of waiters) wake();
}

/**
 * Resolves when no recorded request is pending, or after `timeoutMs`; then
 * settles whatever is still pending with what is known, so no event is lost.
 */
export async function settlePendingRecordings(timeoutMs: number): Promise<void> {
  if (pending.size !== 0) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      idle.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  for (const recording of [...pending]) recording.settleNow();
}
