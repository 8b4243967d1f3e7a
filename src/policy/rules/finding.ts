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
  return {
    provenance_class: "platform_attested",
    rule_id: rule.id,
    rule_category: CATEGORIES.has(rule.category) ? (rule.category as Finding["rule_category"]) : "unknown",
    outcome,
    severity: rule.severity ?? DEFAULT_SEVERITY,
    reason,
    evidence_event_ids: [...eventIds],
    evidence_attestation_ids: [...attestationIds],
    human_summary: summary,
  };
}
