/** The verifier's result: findings with stable reason codes. */

export type VerifyReason =
  | "log.unreadable_line" // a line that is not JSON
  | "log.unknown_record" // a JSON line that is neither an event nor a checkpoint
  | "log.torn_tail" // the log ends in the middle of a line (an interrupted write not yet repaired)
  | "record.not_canonical" // a line is not the exact text the writer writes for the record it parses to
  | "schema.invalid" // an event fails execution_event.v1.schema.json
  | "signature.invalid" // an event's signature does not verify with its key
  | "signature.key_unknown" // an event is signed with a key id the given key set does not hold
  | "chain.gap" // a chain misses a position
  | "chain.fork" // two different records hold the same position of one chain
  | "chain.prev_hash_mismatch" // prev_event_hash is not the hash of the previous position
  | "chain.duplicate" // the same record (or event_id) appears twice
  | "chain.out_of_order" // a chain's positions do not increase in log order
  | "checkpoint.invalid" // a checkpoint line is malformed
  | "checkpoint.key_unknown" // a checkpoint is signed with a key id the key set does not hold
  | "checkpoint.signature_invalid" // a checkpoint's signature does not verify
  | "checkpoint.inconsistent" // root, size, sequence or link disagree with the log or the previous checkpoint
  | "checkpoint.event_missing" // events a checkpoint (or a witnessed checkpoint) covers are not in the log
  | "checkpoint.missing"; // more events follow the last checkpoint than this writer ever leaves between two

/**
 * What verification cannot show, without failing it. A log that does not end
 * with a `shutdown` checkpoint gets exactly one of them (or the failure
 * `checkpoint.missing`): nothing signed attests where it ends.
 */
export type VerifyWarningReason =
  | "checkpoint.uncovered_events" // the log ends with events no checkpoint covers
  | "log.unattested_end" // the log ends at a checkpoint written while the writer ran ("count", "interval"), not at a "shutdown" one
  | "log.empty"; // an instance's log holds no records (an empty segment, or identity.json without segments)

export interface Finding {
  reason: VerifyReason;
  event_id?: string;
  correlation_id?: string;
  detail: string;
}

export interface VerifyWarning {
  reason: VerifyWarningReason;
  detail: string;
}

export interface VerifyReport {
  status: "pass" | "fail";
  events: number;
  chains: number;
  checkpoints: number;
  findings: Finding[];
  /** Not failures: limits of what this log can show (e.g. events after its last checkpoint). */
  warnings: VerifyWarning[];
  /** Only with `listChains`: every chain and whether a finding names it. */
  chain_list?: ChainSummary[];
}

export interface ChainSummary {
  instance_id: string;
  correlation_id: string;
  events: number;
  status: "pass" | "fail";
}
