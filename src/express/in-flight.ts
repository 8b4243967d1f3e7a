/** A recording whose event is not settled yet. */
export interface PendingRecording {
  /** The HTTP server whose connection carried the request. */
  readonly server: unknown;
  /** Settles the event now with what is known (used when its server is shutting down). */
  settleNow(): void;
  /** Its server is shutting down: a response whose headers are not out yet asks its client to close the connection. */
  closeConnectionAfterResponse(): void;
  /** Links of the pending list, kept by this module only (`undefined` when not in it). */
  previousPending: PendingLinks | undefined;
  nextPending: PendingLinks | undefined;
}

/** The list's head and its members share the links. */
export interface PendingLinks {
  previousPending: PendingLinks | undefined;
  nextPending: PendingLinks | undefined;
}

// Recorded requests whose events are not settled yet, so a shutdown can wait
// for them: a response cut by the drain deadline reports its 'close' a few
// turns after the server has closed, and a handler still running after its
// response holds its event back. A list linked through the recordings
// themselves: every recorded request enters and leaves it, and a Set's
// hashing and rehashing cost more than the rest of the bookkeeping.
const head: PendingLinks = { previousPending: undefined, nextPending: undefined };
head.previousPending = head;
head.nextPending = head;
const waiters = new Set<() => void>();

export function recordingStarted(recording: PendingRecording): void {
  const last = head.previousPending!;
  recording.previousPending = last;
  recording.nextPending = head;
  last.nextPending = recording;
  head.previousPending = recording;
}

export function recordingSettled(recording: PendingRecording): void {
  const previous = recording.previousPending;
  const next = recording.nextPending;
  if (previous === undefined || next === undefined) return;
  previous.nextPending = next;
  next.previousPending = previous;
  recording.previousPending = undefined;
  recording.nextPending = undefined;
  if (waiters.size !== 0) for (const check of waiters) check();
}

function pendingOf(server: unknown): PendingRecording[] {
  const found: PendingRecording[] = [];
  for (let link = head.nextPending!; link !== head; link = link.nextPending!) {
    const recording = link as PendingRecording;
    if (recording.server === server) found.push(recording);
  }
  return found;
}

/**
 * Makes the responses of `server`'s recorded requests in flight that have not
 * sent their headers yet ask their clients to close the connection: otherwise
 * a client told "keep-alive" may send its next request just as the shutdown
 * closes the idle connection.
 */
export function closeConnectionsAfterPendingResponses(server: unknown): void {
  for (const recording of pendingOf(server)) recording.closeConnectionAfterResponse();
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
