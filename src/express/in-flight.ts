/** A recording whose event is not settled yet. */
export interface PendingRecording {
  /** The HTTP server whose connection carried the request. */
  readonly server: unknown;
  /** Settles the event now with what is known (used when its server is shutting down). */
  settleNow(): void;
}

// Recorded requests whose events are not settled yet, so a shutdown can wait
// for them: a response cut by the drain deadline reports its 'close' a few
// turns after the server has closed, and a handler still running after its
// response holds its event back.
const pending = new Set<PendingRecording>();
const waiters = new Set<() => void>();

export function recordingStarted(recording: PendingRecording): void {
  pending.add(recording);
}

export function recordingSettled(recording: PendingRecording): void {
  if (pending.delete(recording) && waiters.size !== 0) for (const check of waiters) check();
}

function pendingOf(server: unknown): PendingRecording[] {
  const found: PendingRecording[] = [];
  for (const recording of pending) if (recording.server === server) found.push(recording);
  return found;
}

/**
 * Resolves when no recorded request of `server` is pending, or after
 * `timeoutMs`; then settles those still pending with what is known, so no
 * event is lost. Other servers' requests are left alone.
 */
export async function settlePendingRecordings(server: unknown, timeoutMs: number): Promise<void> {
  if (pendingOf(server).length !== 0) {
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      const check = () => {
        if (pendingOf(server).length === 0) done();
      };
      const timer = setTimeout(done, timeoutMs);
      waiters.add(check);
    });
  }
  for (const recording of pendingOf(server)) recording.settleNow();
}
