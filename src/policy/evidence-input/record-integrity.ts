/**
 * Integrity against TRUSTED keys, by src/evidence's verifier (schema,
 * signatures, chains, checkpoints): of a whole evidence log, or of the
 * records of a bundle taken as one log stream.
 */
import type { EvidenceRecord } from "../../evidence/record.js";
import type { LogStream } from "../../evidence/log-reader.js";
import type { Finding } from "../../evidence/verify/findings.js";
import { verifyStreams } from "../../evidence/verify/verify-log.js";
import type { EventRecordV1 } from "../flow-builder.js";
import type { TrustedKeys } from "./trusted-keys.js";

/** One integrity finding, with src/evidence's reason code (`signature.invalid`, `chain.gap`, …). */
export type IntegrityProblem = Finding;

export function streamsIntegrity(streams: readonly LogStream[], keys: TrustedKeys): IntegrityProblem[] {
  return verifyStreams(streams, { keys: new Map(keys) }).findings;
}

/** Verifies records, each with its line as read, as one log of the file `source` (e.g. a bundle's events.jsonl). */
export function recordIntegrity(lines: readonly { record: EventRecordV1; text: string }[], keys: TrustedKeys, source = "events.jsonl"): IntegrityProblem[] {
  const stream: LogStream = {
    source,
    files: [source],
    entries: lines.map(({ record, text }, i) => ({ kind: "event" as const, record: record as unknown as EvidenceRecord, text, file: source, line: i + 1 })),
  };
  return streamsIntegrity([stream], keys);
}
