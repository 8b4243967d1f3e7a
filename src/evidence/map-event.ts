/**
 * ExecutionEvent (the core's camelCase record) → unsigned `intentproof.event.v1`
 * record. Every value the v1 schema forbids is mapped to an allowed form,
 * never dropped and never emitted invalid:
 *
 * - an array `output` becomes `{ "intentproof.array": [...] }` (v1 `output` may
 *   not be an array);
 * - `null` attribute values are left out (v1 attributes are string, number or
 *   boolean);
 * - a reserved `intentproof.delegation.*` attribute the schema would reject
 *   (unknown name, or a value of the wrong type) is kept under
 *   `user.<original key>`;
 * - a missing correlation id becomes {@link UNCORRELATED}, so such calls form
 *   one chain per instance instead of one chain each;
 * - `durationMs` is rounded to a non-negative integer.
 */
import type { ExecutionEvent, JsonValue } from "../core/types.js";
import { VERSION } from "../core/version.js";
import { EVENT_SCHEMA, EVIDENCE_SPEC_VERSION, PROVENANCE_SDK, type UnsignedEvidenceRecord } from "./record.js";
import { scanPayload } from "./redaction-scan.js";

/** The correlation id of events recorded outside any correlation. */
export const UNCORRELATED = "intentproof:uncorrelated";
/** The key of the object an array `output` is wrapped in. */
export const ARRAY_OUTPUT_KEY = "intentproof.array";
/** Prefix under which a reserved attribute the schema would reject is kept. */
export const UNRESERVED_ATTRIBUTE_PREFIX = "user.";
/** `sdk_version` of every record this package writes. */
export const SDK_VERSION = `intentproof@${VERSION}`;

const DELEGATION_PREFIX = "intentproof.delegation.";

/** Where an event sits: its instance, tenant and chain link. */
export interface ChainLink {
  tenantId: string;
  instanceId: string;
  correlationId: string;
  chainPosition: number;
  prevEventHash: string;
}

/** The correlation id a record of `event` is chained under. */
export function recordCorrelationId(event: ExecutionEvent): string {
  const id = event.correlationId;
  return typeof id === "string" && id.trim() !== "" ? id : UNCORRELATED;
}

function delegationValueOk(key: string, value: string | number | boolean): boolean {
  switch (key) {
    case "intentproof.delegation.parent_correlation_id":
    case "intentproof.delegation.parent_agent_id":
      return typeof value === "string" && value.length > 0;
    case "intentproof.delegation.depth":
      return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 8;
    default:
      return false;
  }
}

function mapAttributes(attributes: ExecutionEvent["attributes"]): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  if (attributes === undefined) return out;
  for (const key of Object.keys(attributes)) {
    const value = attributes[key];
    if (value === null || value === undefined) continue;
    if (typeof value === "number" && !Number.isFinite(value)) continue;
    if (key.startsWith(DELEGATION_PREFIX) && !delegationValueOk(key, value)) {
      out[UNRESERVED_ATTRIBUTE_PREFIX + key] = value;
    } else {
      out[key] = value;
    }
  }
  return out;
}

function mapOutput(output: JsonValue | undefined): UnsignedEvidenceRecord["output"] {
  if (output === undefined) return undefined;
  return Array.isArray(output) ? { [ARRAY_OUTPUT_KEY]: output } : output;
}

/** Builds the unsigned v1 record of `event` at `link`. Pure; never throws on a spec-valid event. */
export function toUnsignedRecord(event: ExecutionEvent, link: ChainLink): UnsignedEvidenceRecord {
  const output = mapOutput(event.output);
  const error = (event.error ?? null) as unknown as { [key: string]: JsonValue } | null;
  const scan = scanPayload(event.inputs, output, error);
  // Members in canonical (RFC 8785) order, so sealing serializes the record
  // as built instead of reordering a copy of it.
  const record = {
    action: event.action,
    attributes: mapAttributes(event.attributes),
    chain_position: link.chainPosition,
    completed_at: event.completedAt,
    correlation_id: link.correlationId,
    duration_ms: Number.isFinite(event.durationMs) ? Math.max(0, Math.round(event.durationMs)) : 0,
    error,
    event_id: event.id,
    inputs: event.inputs,
    instance_id: link.instanceId,
    intent: event.intent,
  } as UnsignedEvidenceRecord;
  if (output !== undefined) record.output = output;
  record.prev_event_hash = link.prevEventHash;
  record.provenance_class = PROVENANCE_SDK;
  if (scan.summary !== undefined) record.redaction_summary = scan.summary;
  record.schema = EVENT_SCHEMA;
  record.sdk_version = SDK_VERSION;
  record.spec_version = EVIDENCE_SPEC_VERSION;
  record.started_at = event.startedAt;
  record.status = event.status;
  record.tenant_id = link.tenantId;
  record.untrusted_payload = scan.untrustedPayload;
  return record;
}
