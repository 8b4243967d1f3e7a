import { eventsOf, idsOf } from "../event-match.js";
import type { AttributePredicate, Finding, FlowEvent, PolicyRule } from "../types.js";
import type { RuleContext } from "./context.js";
import { finding } from "./finding.js";

interface CardinalitySpec {
  action: string;
  exactly?: number;
  min?: number;
  max?: number;
  count_basis?: "logical" | "raw";
  where?: AttributePredicate;
}

// "logical" (the default) counts each event once even when the same record
// reached the flow twice (a re-export); "raw" counts every record received.
function counted(matched: FlowEvent[], basis: "logical" | "raw"): FlowEvent[] {
  if (basis === "raw") return matched;
  const seen = new Set<string>();
  return matched.filter((event) => (seen.has(event.event_id) ? false : (seen.add(event.event_id), true)));
}

export function evaluateCardinality(rule: PolicyRule, { events }: RuleContext): Finding {
  const spec = rule.spec as unknown as CardinalitySpec;
  const matched = counted(eventsOf(events, spec.action, spec.where), spec.count_basis ?? "logical");
  const count = matched.length;
  const ids = idsOf(matched);
  const seen = `${spec.action} occurred ${count} time(s)`;
  if (spec.exactly !== undefined) {
    return count === spec.exactly
      ? finding(rule, "pass", "pass.cardinality.satisfied", seen, ids)
      : finding(rule, "fail", "fail.cardinality.not_exact", `${seen}, exactly ${spec.exactly} required`, ids);
  }
  if (spec.min !== undefined && count < spec.min) {
    return finding(rule, "fail", "fail.cardinality.under_min", `${seen}, at least ${spec.min} required`, ids);
  }
  if (spec.max !== undefined && count > spec.max) {
    return finding(rule, "fail", "fail.cardinality.over_max", `${seen}, at most ${spec.max} allowed`, ids);
  }
  return finding(rule, "pass", "pass.cardinality.satisfied", seen, ids);
}
