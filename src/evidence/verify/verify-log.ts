/**
 * Offline verification of evidence logs against a key set the verifier is
 * GIVEN (never keys found next to the data): every record against the v1
 * schema and its signature, every chain for continuity, and every checkpoint
 * for its signature, its link to the previous one, its consistency proof
 * from the previous one, and the size and Merkle root of the log before it.
 */
import type { KeyObject } from "node:crypto";
import { specV1Validator } from "../../schema/spec-v1.js";
import { describeViolations } from "../../schema/validator.js";
import { checkpointShapeProblems, type CheckpointRecord } from "../checkpoint.js";
import { eventDigest, formatSha256, GENESIS_PREV_HASH, withoutSignature } from "../event-hash.js";
import { canonicalize } from "../jcs.js";
import type { LogStream } from "../log-reader.js";
import { MerkleAccumulator } from "../merkle.js";
import type { EvidenceRecord } from "../record.js";
import { sha256 } from "../sha256.js";
import { classifySignatureEnvelope, type EnvelopeVerdict } from "../signature-envelope.js";
import { checkpointLineProblem, eventLineProblem } from "./canonical-line.js";
import { CheckpointCoverage, emptyLogWarning } from "./checkpoint-coverage.js";
import { checkCheckpoint, checkpointSignatureFinding, checkSequence, consistencyProblem, GENESIS_TREE, type CheckedCheckpoint, type SignedTree } from "./checkpoint-sequence.js";
import type { Finding, VerifyReport, VerifyWarning } from "./findings.js";

export interface VerifyOptions {
  /** Public keys by key id, from the key set the user trusts. */
  keys: Map<string, KeyObject>;
  /** Checkpoints published to an outside witness (onCheckpoint): each must be in the log, unchanged. */
  witnessed?: CheckpointRecord[];
  /** Add `chain_list` (one summary per chain) to the report. */
  listChains?: boolean;
}

interface ChainMember {
  record: EvidenceRecord;
  hash: string;
  order: number;
}

/**
 * A record's signature as a finding, undefined when it verifies. The key id
 * decides first: a record naming a key outside the key set is
 * `signature.key_unknown` whatever else is wrong with its envelope.
 */
function recordSignatureFinding(verdict: EnvelopeVerdict, keys: ReadonlyMap<string, KeyObject>, where: string, ids: Pick<Finding, "event_id" | "correlation_id">): Finding | undefined {
  if (verdict.status === "verified") return undefined;
  const keyId = verdict.status === "unsigned" ? undefined : verdict.keyId;
  if (keyId === undefined) return { reason: "signature.invalid", ...ids, detail: `${where}: the record is not signed` };
  if (!keys.has(keyId)) return { reason: "signature.key_unknown", ...ids, detail: `${where}: key id "${keyId}" is not in the given key set` };
  return { reason: "signature.invalid", ...ids, detail: `${where}: the signature does not verify with key "${keyId}"` };
}

function ranges(positions: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < positions.length; i++) {
    const start = positions[i] as number;
    while (i + 1 < positions.length && positions[i + 1] === (positions[i] as number) + 1) i++;
    parts.push(start === positions[i] ? `${start}` : `${start}-${positions[i]}`);
  }
  return parts.join(", ");
}

export function verifyStreams(streams: readonly LogStream[], options: VerifyOptions): VerifyReport {
  const validate = specV1Validator("execution_event");
  const findings: Finding[] = [];
  const warnings: VerifyWarning[] = [];
  const chains = new Map<string, ChainMember[]>();
  const seenEventIds = new Map<string, string>();
  const checkpointsByInstance = new Map<string, Map<number, CheckedCheckpoint>>();
  let eventCount = 0;
  let checkpointCount = 0;
  let order = 0;

  for (const stream of streams) {
    const merkle = new MerkleAccumulator();
    const coverage = new CheckpointCoverage();
    let previous: (SignedTree & { hash: string }) | undefined;

    for (const entry of stream.entries) {
      const where = `${entry.file}:${entry.line}`;
      if (entry.kind === "unparseable") {
        // Never the line's content: a file given by mistake may be a secret (a private key).
        const detail =
          entry.cut === true
            ? `${entry.file} ends in the middle of a line (${entry.length} bytes after its last newline)`
            : entry.blank === true
              ? `${where} is a blank line (${entry.length} characters), which the writer never writes`
              : `${where} is not JSON (${entry.length} characters)`;
        findings.push({ reason: "log.unreadable_line", detail });
        continue;
      }
      if (entry.kind === "other") {
        findings.push({ reason: "log.unknown_record", detail: `${where} is neither an intentproof.event.v1 record nor a checkpoint` });
        continue;
      }
      if (entry.kind === "event") {
        eventCount++;
        const record = entry.record;
        const ids: { event_id?: string; correlation_id?: string } = {};
        if (typeof record.event_id === "string") ids.event_id = record.event_id;
        if (typeof record.correlation_id === "string") ids.correlation_id = record.correlation_id;
        const violations = validate(record);
        if (violations.length > 0) findings.push({ reason: "schema.invalid", ...ids, detail: `${where}: ${describeViolations(violations).join("; ")}` });
        let canonical: string;
        try {
          canonical = canonicalize(withoutSignature(record));
        } catch (error) {
          findings.push({ reason: "schema.invalid", ...ids, detail: `${where}: cannot be canonicalized: ${(error as Error).message}` });
          continue;
        }
        const lineProblem = eventLineProblem(entry.text, canonical, record.signature);
        if (lineProblem !== undefined) findings.push({ reason: "record.not_canonical", ...ids, detail: `${where}: ${lineProblem}` });
        const digest = sha256(canonical);
        merkle.add(digest);
        coverage.event();
        const verdict = classifySignatureEnvelope(record.signature, digest, options.keys);
        const signatureFinding = recordSignatureFinding(verdict, options.keys, where, ids);
        if (signatureFinding !== undefined) findings.push(signatureFinding);
        const hash = formatSha256(digest);
        if (typeof record.event_id === "string") {
          const earlier = seenEventIds.get(record.event_id);
          if (earlier !== undefined) {
            findings.push({ reason: "chain.duplicate", ...ids, detail: `${where}: event_id also at ${earlier}` });
          } else {
            seenEventIds.set(record.event_id, where);
          }
        }
        if (typeof record.instance_id === "string" && typeof record.correlation_id === "string" && Number.isSafeInteger(record.chain_position)) {
          const key = JSON.stringify([record.instance_id, record.correlation_id]);
          let members = chains.get(key);
          if (members === undefined) chains.set(key, (members = []));
          members.push({ record, hash, order: order++ });
        }
        continue;
      }

      // A checkpoint.
      checkpointCount++;
      const checkpoint = entry.record;
      const shape = checkpointShapeProblems(checkpoint as unknown as Record<string, unknown>);
      if (shape.length > 0) {
        findings.push({ reason: "checkpoint.invalid", detail: `${where}: ${shape.join("; ")}` });
        continue;
      }
      const lineProblem = checkpointLineProblem(entry.text, checkpoint);
      if (lineProblem !== undefined) findings.push({ reason: "record.not_canonical", detail: `${where}: ${lineProblem}` });
      coverage.checkpoint(checkpoint, previous);
      const digest = eventDigest(checkpoint);
      const hash = formatSha256(digest);
      // A bad signature is reported and the checkpoint still checked against the log around it.
      const signatureFinding = checkpointSignatureFinding(checkpoint, digest, options.keys, where);
      if (signatureFinding !== undefined) findings.push(signatureFinding);
      const expectedSequence = (previous?.sequence ?? 0) + 1;
      const expectedLink = previous?.hash ?? GENESIS_PREV_HASH;
      if (checkpoint.sequence !== expectedSequence) {
        findings.push({
          reason: checkpoint.sequence > expectedSequence ? "checkpoint.event_missing" : "checkpoint.inconsistent",
          detail: `${where}: checkpoint ${checkpoint.sequence} follows ${previous === undefined ? "no checkpoint" : `checkpoint ${previous.sequence}`}; checkpoints ${expectedSequence}..${checkpoint.sequence - 1} and the events between are missing`,
        });
      } else {
        if (checkpoint.prev_checkpoint_hash !== expectedLink) {
          findings.push({ reason: "checkpoint.inconsistent", detail: `${where}: checkpoint ${checkpoint.sequence} does not link to the previous checkpoint` });
        }
        // Checkpoints written before proofs existed carry none: the recomputation below still covers them.
        if (checkpoint.consistency_proof !== undefined) {
          const problem = consistencyProblem(previous ?? GENESIS_TREE, checkpoint, checkpoint.consistency_proof);
          if (problem !== undefined) findings.push({ reason: "checkpoint.inconsistent", detail: `${where}: ${problem}` });
        }
      }
      if (merkle.size < checkpoint.log_size) {
        findings.push({
          reason: "checkpoint.event_missing",
          detail: `${where}: checkpoint ${checkpoint.sequence} covers ${checkpoint.log_size} events, the log holds ${merkle.size} before it: ${checkpoint.log_size - merkle.size} missing`,
        });
      } else if (merkle.size > checkpoint.log_size) {
        findings.push({
          reason: "checkpoint.inconsistent",
          detail: `${where}: checkpoint ${checkpoint.sequence} covers ${checkpoint.log_size} events, the log holds ${merkle.size} before it: ${merkle.size - checkpoint.log_size} were added`,
        });
      } else if (merkle.rootHex() !== checkpoint.merkle_root) {
        findings.push({
          reason: "checkpoint.inconsistent",
          detail: `${where}: the Merkle root of the ${merkle.size} events before checkpoint ${checkpoint.sequence} differs from the signed one (events changed, replaced or reordered)`,
        });
      }
      previous = { sequence: checkpoint.sequence, log_size: checkpoint.log_size, merkle_root: checkpoint.merkle_root, hash };
      let byInstance = checkpointsByInstance.get(checkpoint.instance_id);
      if (byInstance === undefined) checkpointsByInstance.set(checkpoint.instance_id, (byInstance = new Map()));
      byInstance.set(checkpoint.sequence, { record: checkpoint, hash });
    }
    const { finding, warning } = stream.entries.length === 0 ? { warning: emptyLogWarning(stream.source, stream.files.length) } : coverage.finish(stream.source);
    if (finding !== undefined) findings.push(finding);
    if (warning !== undefined) warnings.push(warning);
    if (stream.tornTail !== undefined) {
      findings.push({
        reason: "log.torn_tail",
        detail: `${stream.tornTail.file} ends with ${stream.tornTail.bytes} bytes of an incomplete line (an interrupted write; the exporter repairs it when it starts)`,
      });
    }
  }

  for (const members of chains.values()) checkChain(members, findings);

  if (options.witnessed !== undefined) checkWitnessed(options.witnessed, options.keys, checkpointsByInstance, findings);

  const report: VerifyReport = { status: findings.length === 0 ? "pass" : "fail", events: eventCount, chains: chains.size, checkpoints: checkpointCount, findings, warnings };
  if (options.listChains === true) {
    const failing = new Set(findings.flatMap((f) => (f.correlation_id === undefined ? [] : [f.correlation_id])));
    report.chain_list = [...chains.values()].map((members) => {
      const { instance_id, correlation_id } = (members[0] as ChainMember).record;
      return { instance_id, correlation_id, events: members.length, status: failing.has(correlation_id) ? "fail" : "pass" };
    });
  }
  return report;
}

/**
 * Checkpoints an outside witness kept: each must be in the log unchanged;
 * consecutive ones must prove each other; and past the last one the witness
 * holds (or before a gap in what it holds), the log's next checkpoint must
 * extend the witnessed one.
 */
function checkWitnessed(witnessed: readonly CheckpointRecord[], keys: Map<string, KeyObject>, inLog: Map<string, Map<number, CheckedCheckpoint>>, findings: Finding[]): void {
  const valid: CheckedCheckpoint[] = [];
  for (const value of witnessed) {
    const outcome = checkCheckpoint(value, keys, "witnessed checkpoint");
    if ("finding" in outcome) {
      // Same codes as the log's own checkpoints and verifyCheckpointSequence: an unknown signer is checkpoint.key_unknown.
      findings.push(outcome.finding);
      continue;
    }
    valid.push(outcome.checked);
    const { record, hash } = outcome.checked;
    const logged = inLog.get(record.instance_id);
    const same = logged?.get(record.sequence);
    if (same === undefined) {
      findings.push({
        reason: "checkpoint.event_missing",
        detail: `witnessed checkpoint ${record.sequence} of ${record.instance_id} (${record.log_size} events) is not in the log: it was truncated or removed`,
      });
    } else if (same.hash !== hash) {
      findings.push({ reason: "checkpoint.inconsistent", detail: `checkpoint ${record.sequence} of ${record.instance_id} in the log differs from the witnessed one` });
    }
  }
  findings.push(...checkSequence(valid, "witnessed checkpoint").findings);
  const seen = new Set(valid.map((c) => JSON.stringify([c.record.instance_id, c.record.sequence])));
  for (const { record, hash } of valid) {
    const logged = inLog.get(record.instance_id);
    const next = logged?.get(record.sequence + 1);
    // Skipped when the witness holds a next checkpoint itself (compared above), or when the
    // log's copy of this one is the witnessed one (the log's own pass checked the next against it).
    if (next === undefined || seen.has(JSON.stringify([record.instance_id, record.sequence + 1])) || logged?.get(record.sequence)?.hash === hash) continue;
    const where = `checkpoint ${record.sequence + 1} of ${record.instance_id} in the log`;
    if (next.record.prev_checkpoint_hash !== hash) findings.push({ reason: "checkpoint.inconsistent", detail: `${where} does not link to the witnessed checkpoint ${record.sequence}` });
    if (next.record.consistency_proof !== undefined) {
      const problem = consistencyProblem(record, next.record, next.record.consistency_proof);
      if (problem !== undefined) findings.push({ reason: "checkpoint.inconsistent", detail: `${where}, against the witnessed checkpoint ${record.sequence}: ${problem}` });
    }
  }
}

function checkChain(members: ChainMember[], findings: Finding[]): void {
  const first = members[0] as ChainMember;
  const correlation_id = first.record.correlation_id;
  const byPosition = new Map<number, ChainMember[]>();
  let lastPosition = 0;
  let outOfOrderReported = false;
  for (const member of members) {
    const position = member.record.chain_position;
    let list = byPosition.get(position);
    if (list === undefined) byPosition.set(position, (list = []));
    list.push(member);
    if (position < lastPosition && !outOfOrderReported) {
      outOfOrderReported = true;
      findings.push({
        reason: "chain.out_of_order",
        event_id: member.record.event_id,
        correlation_id,
        detail: `position ${position} comes after position ${lastPosition} in the log`,
      });
    }
    lastPosition = Math.max(lastPosition, position);
  }
  const positions = [...byPosition.keys()].sort((a, b) => a - b);
  const max = positions.at(-1) as number;
  const missing: number[] = [];
  for (let p = 1, i = 0; p <= max; p++) {
    if (positions[i] === p) i++;
    else missing.push(p);
  }
  if (missing.length > 0) {
    findings.push({ reason: "chain.gap", correlation_id, detail: `positions ${ranges(missing)} of ${max} are missing (instance ${first.record.instance_id})` });
  }
  for (const position of positions) {
    const list = byPosition.get(position) as ChainMember[];
    const distinct = new Map(list.map((m) => [m.hash, m]));
    if (distinct.size > 1) {
      findings.push({
        reason: "chain.fork",
        event_id: (list[1] as ChainMember).record.event_id,
        correlation_id,
        detail: `${distinct.size} different records hold position ${position}`,
      });
    } else if (list.length > 1) {
      findings.push({ reason: "chain.duplicate", event_id: list[0]!.record.event_id, correlation_id, detail: `position ${position} appears ${list.length} times` });
    }
    const previousList = byPosition.get(position - 1);
    for (const member of distinct.values()) {
      const expected = position === 1 ? [GENESIS_PREV_HASH] : previousList?.map((m) => m.hash);
      if (expected === undefined) continue; // the previous position is missing: already a gap
      if (!expected.includes(member.record.prev_event_hash)) {
        findings.push({
          reason: "chain.prev_hash_mismatch",
          event_id: member.record.event_id,
          correlation_id,
          detail: position === 1 ? "position 1 must carry the genesis prev_event_hash" : `prev_event_hash is not the hash of position ${position - 1}`,
        });
      }
    }
  }
}
