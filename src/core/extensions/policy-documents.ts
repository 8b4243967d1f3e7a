/**
 * The objects of the spec-v1 completeness line (`spec-v1/schema/*.v1.schema.json`),
 * in their snake_case wire form: what a policy declares, what a flow holds,
 * what a run concludes.
 *
 * Types only, kept beside the core's policy extension point because the
 * client's `policies` and `policyMonitor` options name them and the core may
 * not import the policy layer; the policy layer uses them from here
 * (`src/policy/types.ts` re-exports them).
 */

export type Severity = "critical" | "high" | "medium" | "low" | "info";
export type Outcome = "pass" | "fail" | "inconclusive";
export type RuleCategory =
  | "required"
  | "forbidden"
  | "ordering"
  | "cardinality"
  | "temporal"
  | "consensus"
  | "value_bound"
  | "claim_match";

export type Scalar = string | number | boolean | null;

/** `where` clause of a rule: every given condition must hold. */
export interface AttributePredicate {
  status?: "ok" | "error";
  attribute?: string;
  equals?: Scalar;
  in?: Scalar[];
}

export interface PolicyRule {
  id: string;
  category: RuleCategory | string;
  severity?: Severity;
  spec: Record<string, unknown>;
}

/** `intentproof.policy.v1`. */
export interface Policy {
  schema: "intentproof.policy.v1";
  policy_id: string;
  policy_version: number;
  tenant_id: string;
  provenance_class: "platform_attested";
  name?: string;
  description?: string;
  rfc_version?: string;
  spec_version: string;
  scope: { any_event_action_in?: string[]; ignore_flows_with_no_match?: boolean };
  instrumentation_requirement?: "full" | "operational" | "minimal";
  rules: PolicyRule[];
  claims?: unknown[];
  policy_fingerprint: string;
  signed_at?: string;
  signature?: { alg?: string; key_id?: string; value?: string };
}

/** `intentproof.flow.v1`: one correlation's events, by reference (id, ordinal, hash). */
export interface Flow {
  schema: "intentproof.flow.v1";
  flow_id: string;
  tenant_id: string;
  provenance_class: "platform_attested";
  correlation_id: string;
  window: { opened_at: string; closed_at: string; closure_reason: string };
  events: Array<{ event_id: string; ordinal: number; hash: string }>;
  instrumentation_mode: "full" | "operational" | "minimal";
  flow_merkle_root: string;
  snapshot_uri: string;
}

/**
 * What a rule reads of one event. A flow references its events by hash; the
 * evaluator needs their content, so it takes these beside the flow.
 */
export interface FlowEvent {
  event_id: string;
  action: string;
  status: "ok" | "error";
  started_at: string;
  completed_at: string;
  attributes?: Record<string, Scalar>;
}

/** `intentproof.attestation.v1`: a claim an external source made about the flow's subject. */
export interface Attestation {
  schema: "intentproof.attestation.v1";
  attestation_id: string;
  tenant_id: string;
  provenance_class: "source_attested";
  source_id: string;
  received_at: string;
  source_emitted_at: string;
  subject: { type: string; id: string; mapping_to?: { correlation_id: string } };
  claim: string;
  claim_value: unknown;
  source_payload_sha256: string;
  source_signature: { alg: string; key_id: string; value: string };
  platform_signature: { alg: "ed25519"; key_id: string; value: string };
}

/** `intentproof.finding.v1` (as embedded in a run). */
export interface Finding {
  provenance_class: "platform_attested";
  rule_id: string;
  rule_category: RuleCategory | "unknown";
  outcome: Outcome;
  severity: Severity;
  reason: string;
  evidence_event_ids: string[];
  evidence_attestation_ids: string[];
  remediation_hint?: string;
  human_summary?: string;
}

/** `intentproof.run.v1`. */
export interface Run {
  schema: "intentproof.run.v1";
  run_id: string;
  tenant_id: string;
  provenance_class: "platform_attested";
  flow_id: string;
  flow_merkle_root: string;
  policy_id: string;
  policy_version: number;
  policy_fingerprint: string;
  verifier_version: string;
  verifier_build_hash: string;
  attestation_set: { ids: string[]; merkle_root: string };
  started_at: string;
  completed_at: string;
  status: Outcome;
  summary: {
    outcome_counts: Record<Outcome, number>;
    severity_counts: Record<Severity, number>;
  };
  findings: Finding[];
  run_fingerprint: string;
  signature: { alg: "ed25519"; key_id: string; value: string };
}
