import type { Finding, PolicyRule } from "../types.js";
import { attestationIds, attestationsOf } from "./attestation-match.js";
import type { RuleContext } from "./context.js";
import { finding } from "./finding.js";

interface ValueBoundSpec {
  claim: string;
  operator: string;
  value: unknown;
  source_id?: string;
}

const COMPARE: Record<string, (value: number, bound: number) => boolean> = {
  lt: (v, b) => v < b,
  lte: (v, b) => v <= b,
  gt: (v, b) => v > b,
  gte: (v, b) => v >= b,
  eq: (v, b) => v === b,
  ne: (v, b) => v !== b,
};

// Every attestation of the claim must satisfy the bound; a non-numeric claim
// value cannot, so it counts as out of range.
export function evaluateValueBound(rule: PolicyRule, { attestations }: RuleContext): Finding {
  const spec = rule.spec as unknown as ValueBoundSpec;
  const compare = COMPARE[spec.operator];
  if (compare === undefined) {
    return finding(rule, "inconclusive", "inconclusive.value_bound.operator_unsupported", `operator ${JSON.stringify(spec.operator)} is not supported`);
  }
  if (typeof spec.value !== "number" || !Number.isFinite(spec.value)) {
    return finding(rule, "inconclusive", "inconclusive.value_bound.bound_invalid", "the bound is not a finite number");
  }
  const matched = attestationsOf(attestations, spec.claim, spec.source_id);
  if (matched.length === 0) {
    return finding(rule, "inconclusive", "inconclusive.value_bound.claim_missing", `no attestation of ${spec.claim}${spec.source_id === undefined ? "" : ` from ${spec.source_id}`}`);
  }
  const outside = matched.filter((a) => typeof a.claim_value !== "number" || !compare(a.claim_value, spec.value as number));
  const ids = attestationIds(matched);
  return outside.length > 0
    ? finding(rule, "fail", "fail.value_bound.out_of_range", `${spec.claim} is not ${spec.operator} ${spec.value} in ${outside.length} of ${matched.length} attestation(s)`, [], attestationIds(outside))
    : finding(rule, "pass", "pass.value_bound.satisfied", `${spec.claim} is ${spec.operator} ${spec.value} in every attestation`, [], ids);
}
