/**
 * Integrity of signed v1 records against TRUSTED keys: each record is
 * schema-valid, signed by a key of the given set, its signature verifies, and
 * the records of each (instance, correlation) chain link up from position 1
 * without gap, fork or altered link.
 */
import { eventDigest, eventHash, GENESIS_PREV_HASH } from "../../evidence/event-hash.js";
import { verifyEd25519 } from "../../evidence/ed25519.js";
import { specV1Validator } from "../../schema/spec-v1.js";
import { describeViolations } from "../../schema/validator.js";
import type { EventRecordV1 } from "../flow-builder.js";
import type { TrustedKeys } from "./trusted-keys.js";

export interface IntegrityProblem {
  /** Stable code, e.g. `event.unsigned`, `event.signature_invalid`, `event.chain_gap`. */
  readonly code: string;
  readonly event_id?: string;
  readonly detail: string;
}

function chainProblems(records: readonly EventRecordV1[]): IntegrityProblem[] {
  const problems: IntegrityProblem[] = [];
  const chains = new Map<string, EventRecordV1[]>();
  for (const record of records) {
    const key = JSON.stringify([record.instance_id, record.correlation_id]);
    chains.set(key, [...(chains.get(key) ?? []), record]);
  }
  for (const chain of chains.values()) {
    const sorted = [...chain].sort((a, b) => a.chain_position - b.chain_position);
    sorted.forEach((record, i) => {
      const expectedPosition = i + 1;
      if (record.chain_position !== expectedPosition) {
        const code = i > 0 && sorted[i - 1]!.chain_position === record.chain_position ? "event.chain_fork" : "event.chain_gap";
        problems.push({ code, event_id: record.event_id, detail: `chain position ${record.chain_position} where ${expectedPosition} was expected (instance ${String(record.instance_id)}, correlation ${record.correlation_id})` });
        return;
      }
      const expectedPrev = i === 0 ? GENESIS_PREV_HASH : eventHash(sorted[i - 1]!);
      if (record.prev_event_hash !== expectedPrev) {
        problems.push({ code: "event.chain_broken", event_id: record.event_id, detail: `prev_event_hash ${String(record.prev_event_hash)} does not match the hash of position ${i} (${expectedPrev})` });
      }
    });
  }
  return problems;
}

export function recordIntegrity(records: readonly EventRecordV1[], keys: TrustedKeys): IntegrityProblem[] {
  const validate = specV1Validator("execution_event");
  const problems: IntegrityProblem[] = [];
  const seen = new Set<string>();
  for (const record of records) {
    const id = typeof record.event_id === "string" ? record.event_id : "(no event_id)";
    if (seen.has(id)) problems.push({ code: "event.duplicate", event_id: id, detail: "the same event_id appears twice" });
    seen.add(id);
    const signature = record.signature as { alg?: unknown; key_id?: unknown; value?: unknown } | undefined;
    if (signature === undefined || signature === null || typeof signature.value !== "string" || signature.value === "") {
      problems.push({ code: "event.unsigned", event_id: id, detail: "the record carries no signature" });
    } else if (signature.alg !== "ed25519") {
      problems.push({ code: "event.signature_unsupported_alg", event_id: id, detail: `signature alg ${JSON.stringify(signature.alg)}` });
    } else {
      const key = typeof signature.key_id === "string" ? keys.get(signature.key_id) : undefined;
      if (key === undefined) problems.push({ code: "event.key_untrusted", event_id: id, detail: `signed with key ${JSON.stringify(signature.key_id)}, which is not in the trusted key set` });
      else if (!verifyEd25519(eventDigest(record), signature.value, key)) problems.push({ code: "event.signature_invalid", event_id: id, detail: `the signature does not verify with key ${String(signature.key_id)}: the record was altered or signed by another key` });
    }
    const violations = describeViolations(validate(record));
    if (violations.length > 0) problems.push({ code: "event.schema_invalid", event_id: id, detail: violations.slice(0, 3).join("; ") });
  }
  const chainable = records.filter((r) => typeof r.chain_position === "number" && typeof r.correlation_id === "string");
  problems.push(...chainProblems(chainable));
  return problems;
}
