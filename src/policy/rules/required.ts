import { eventsOf, idsOf } from "../event-match.js";
import type { AttributePredicate, Finding, PolicyRule } from "../types.js";
import type { RuleContext } from "./context.js";
import { finding } from "./finding.js";

interface RequiredSpec {
  action: string;
  min?: number;
  max?: number;
  where?: AttributePredicate;
}

// A required rule without `min` still means "at least once": a minimum of 0
// would make the rule vacuous (the upstream verifier defaults to 0).
export function evaluateRequired(rule: PolicyRule, { events }: RuleContext): Finding {
  const spec = rule.spec as unknown as RequiredSpec;
  const matched = eventsOf(events, spec.action, spec.where);
  const min = spec.min ?? 1;
  const ids = idsOf(matched);
  if (matched.length === 0 && min > 0) {
    return finding(rule, "fail", "fail.required.missing", `required step skipped: ${spec.action}`, ids);
  }
  if (matched.length < min) {
    return finding(rule, "fail", "fail.required.under_min", `${spec.action} occurred ${matched.length} time(s), at least ${min} required`, ids);
  }
  if (spec.max !== undefined && matched.length > spec.max) {
    return finding(rule, "fail", "fail.required.over_max", `${spec.action} occurred ${matched.length} time(s), at most ${spec.max} allowed`, ids);
  }
  return finding(rule, "pass", "pass.required.satisfied", `${spec.action} occurred ${matched.length} time(s)`, ids);
}
