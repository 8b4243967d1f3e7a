/**
 * Integrity against TRUSTED keys, by src/evidence's verifier (schema,
 * signatures, chains, checkpoints): of a whole evidence log, or of the
 * records of a bundle taken as one log stream.
 */
import type { EvidenceRecord } from "../../evidence/record.js";
import type { LogStream } from "../../evidence/log-reader.js";
import type { Finding, VerifyWarning } from "../../evidence/verify/findings.js";
import { verifyStreams } from "../../evidence/verify/verify-log.js";
import type { EventRecordV1 } from "../flow-builder.js";
import type { TrustedKeys } from "./trusted-keys.js";

/** One integrity finding, with src/evidence's reason code (`signature.invalid`, `chain.gap`, …). */
export type IntegrityProblem = Finding;

/** One of the verifier's warnings: what the log cannot show, without failing it (`checkpoint.uncovered_events`, …). */
export type IntegrityWarning = VerifyWarning;

export function streamsIntegrity(streams: readonly LogStream[], keys: TrustedKeys): IntegrityProblem[] {
  return verifyStreams(streams, { keys: new Map(keys) }).findings;
}

/** The verifier's findings and its warnings, every one of them (whatever codes it adds): a caller that drops the warnings overstates what the log shows. */
export function streamsVerification(streams: readonly LogStream[], keys: TrustedKeys): { findings: IntegrityProblem[]; warnings: IntegrityWarning[] } {
  const { findings, warnings } = verifyStreams(streams, { keys: new Map(keys) });
  return { findings, warnings };
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
