import type { Finding, Outcome, PolicyRule, Severity } from "../types.js";

const CATEGORIES = new Set(["required", "forbidden", "ordering", "cardinality", "temporal", "consensus", "value_bound", "claim_match"]);

/** Rules without a severity are reported as `medium`, the spec's middle level. */
export const DEFAULT_SEVERITY: Severity = "medium";

/** One finding of `rule`; `reason` is a code of spec-v1/semantics/reasons.json. */
export function finding(
  rule: PolicyRule,
  outcome: Outcome,
  reason: string,
  summary: string,
  eventIds: readonly string[] = [],
  attestationIds: readonly string[] = [],
): Finding {
  // Keys in RFC 8785 order, so the run fingerprint can hash JSON.stringify
  // output directly (see fastRunFingerprint).
  return {
    evidence_attestation_ids: [...attestationIds],
    evidence_event_ids: [...eventIds],
    human_summary: summary,
    outcome,
    provenance_class: "platform_attested",
    reason,
    rule_category: CATEGORIES.has(rule.category) ? (rule.category as Finding["rule_category"]) : "unknown",
    rule_id: rule.id,
    severity: rule.severity ?? DEFAULT_SEVERITY,
  };
}
