/**
 * The `intentproof.event.v1` record (spec-v1/schema/execution_event.v1.schema.json):
 * snake_case, signed at emission, linked into a per-correlation hash chain.
 */
import type { JsonValue } from "../core/types.js";

export const EVENT_SCHEMA = "intentproof.event.v1";
/** The spec-v1 release whose schema these records follow. */
export const EVIDENCE_SPEC_VERSION = "1.0.0";
export const PROVENANCE_SDK = "sdk_attested_evidence";

/** `{ alg, key_id, value }`: Ed25519 over the 32 bytes of the record's SHA-256, base64. */
export interface EvidenceSignature {
  alg: "ed25519";
  key_id: string;
  value: string;
}

/** What the serializer withheld from a record, so an auditor sees it. */
export interface RedactionSummary {
  rules_applied?: string[];
  fields_redacted_count?: number;
  fields_redacted_paths?: string[];
  tenant_redaction_profile_id?: string;
}

/** One signed `intentproof.event.v1` record. */
export interface EvidenceRecord {
  schema: typeof EVENT_SCHEMA;
  event_id: string;
  tenant_id: string;
  instance_id: string;
  correlation_id: string;
  provenance_class: typeof PROVENANCE_SDK;
  prev_event_hash: string;
  chain_position: number;
  intent: string;
  action: string;
  status: "ok" | "error";
  started_at: string;
  completed_at: string;
  duration_ms: number;
  inputs?: { [key: string]: JsonValue } | JsonValue[] | null;
  output?: { [key: string]: JsonValue } | string | number | boolean | null;
  error?: { [key: string]: JsonValue } | null;
  attributes?: Record<string, string | number | boolean>;
  redaction_summary?: RedactionSummary;
  untrusted_payload: boolean;
  spec_version: string;
  sdk_version: string;
  signature: EvidenceSignature;
}

/** A record before its signature is attached: what is hashed. */
export type UnsignedEvidenceRecord = Omit<EvidenceRecord, "signature">;
