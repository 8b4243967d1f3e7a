/** What went wrong in the evidence pipeline; every fault has one stable code. */
export type EvidenceErrorCode =
  | "backlog_full" // the sealing queue was at maxBacklog
  | "closed" // export() after shutdown()
  | "unavailable" // the exporter could not start (directory, lock, key)
  | "invalid_record" // the mapped record failed the v1 schema (the event was not spec-valid)
  | "seal_failed" // hashing or signing threw
  | "write_failed" // the log could not be written or synced (unwritable directory, full disk)
  | "log_repaired" // a torn last line from an earlier crash was cut off (nothing acknowledged is lost)
  | "checkpoint_hook_failed" // onCheckpoint threw or rejected
  | "ship_failed"; // a delivery attempt failed (it is retried)

/** An evidence fault. `dropped` is how many events it cost (0 for notices and retried deliveries). */
export class EvidenceError extends Error {
  override readonly name = "EvidenceError";
  constructor(
    readonly code: EvidenceErrorCode,
    message: string,
    readonly dropped = 0,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
