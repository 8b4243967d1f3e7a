/**
 * Recordings whose response has closed while their handler (or, the client
 * gone, the guards and pipes before it) is still running. The application's
 * shutdown records them with what is known then, instead of losing them
 * when the process exits before the handler settles (Nest's
 * `forceCloseConnections` cuts such a response as it closes the server).
 */
export interface AwaitingRecording {
  readonly client: object;
  /** Records now; a later settlement of the handler changes nothing. */
  settleNow(): void;
}

const awaiting = new Set<AwaitingRecording>();

export function awaitSettlement(recording: AwaitingRecording): void {
  awaiting.add(recording);
}

export function stopAwaitingSettlement(recording: AwaitingRecording): void {
  awaiting.delete(recording);
}

/** Records every recording of `client` still waiting for its handler. */
export function settleAwaitingRecordings(client: object): void {
  for (const recording of [...awaiting]) if (recording.client === client) recording.settleNow();
}
