/**
 * A fast check that a record this package built is schema-valid, for the
 * sealing path: the same rules as execution_event.v1.schema.json for what the
 * mapping fills in (payload values are JSON by construction). When it finds a
 * problem, the full validator names it.
 */
import { isDateTime } from "../schema/formats.js";
import type { UnsignedEvidenceRecord } from "./record.js";
import { isPlainRecord } from "../core/options/options-reader.js";

const SHA256_TEXT = /^sha256:[a-f0-9]+$/;
const DELEGATION = /^intentproof\.delegation\./;


export function looksValid(record: UnsignedEvidenceRecord): boolean {
  if (
    typeof record.event_id !== "string" ||
    typeof record.tenant_id !== "string" ||
    typeof record.instance_id !== "string" ||
    typeof record.correlation_id !== "string" ||
    typeof record.intent !== "string" ||
    typeof record.action !== "string" ||
    (record.status !== "ok" && record.status !== "error") ||
    typeof record.started_at !== "string" ||
    typeof record.completed_at !== "string" ||
    !isDateTime(record.started_at) ||
    !isDateTime(record.completed_at) ||
    !Number.isInteger(record.duration_ms) ||
    record.duration_ms < 0 ||
    !Number.isInteger(record.chain_position) ||
    record.chain_position < 1 ||
    !SHA256_TEXT.test(record.prev_event_hash) ||
    typeof record.untrusted_payload !== "boolean"
  ) {
    return false;
  }
  const { inputs, output, error, attributes } = record;
  if (inputs !== undefined && inputs !== null && typeof inputs !== "object") return false;
  if (output !== undefined && (Array.isArray(output) || (typeof output === "number" && !Number.isFinite(output)))) return false;
  if (error !== undefined && error !== null && !isPlainRecord(error)) return false;
  if (attributes !== undefined) {
    if (!isPlainRecord(attributes)) return false;
    for (const key of Object.keys(attributes)) {
      const value = attributes[key];
      if (typeof value !== "string" && typeof value !== "boolean" && (typeof value !== "number" || !Number.isFinite(value))) return false;
      // Reserved keys are normalized by the mapping; anything left there gets the full check.
      if (DELEGATION.test(key)) return false;
    }
  }
  return true;
}
