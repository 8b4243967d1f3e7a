import { eventsOf, idsOf } from "../event-match.js";
import type { Finding, FlowEvent, PolicyRule } from "../types.js";
import type { RuleContext } from "./context.js";
import { finding } from "./finding.js";

interface OrderingSpec {
  before: string;
  after: string;
  scope?: "first-occurrence" | "all-occurrences";
  match_by_attribute?: string;
}

// Order is chain order (see forbidden.ts for why not timestamps).
export function evaluateOrdering(rule: PolicyRule, { events }: RuleContext): Finding {
  const spec = rule.spec as unknown as OrderingSpec;
  const position = new Map<FlowEvent, number>(events.map((event, i) => [event, i]));
  const befores = eventsOf(events, spec.before);
  const afters = eventsOf(events, spec.after);
  const ids = [...idsOf(befores), ...idsOf(afters)];

  if (afters.length === 0) {
    return finding(rule, "inconclusive", "inconclusive.ordering.after_missing", `${spec.after} did not occur, so its order cannot be judged`, idsOf(befores));
  }
  if (befores.length === 0) {
    return finding(rule, "inconclusive", "inconclusive.ordering.before_missing", `${spec.after} occurred but ${spec.before} never did`, idsOf(afters));
  }

  const key = spec.match_by_attribute;
  if (key !== undefined) {
    // Pairs: each `after` needs an earlier `before` carrying the same attribute value.
    for (const after of afters) {
      const value = after.attributes?.[key];
      const partners = befores.filter((before) => before.attributes?.[key] === value);
      if (partners.length === 0) {
        return finding(rule, "fail", "fail.ordering.unmatched_pair", `${spec.after} (${key}=${String(value)}) has no ${spec.before} with the same ${key}`, [after.event_id]);
      }
      if (!partners.some((before) => position.get(before)! < position.get(after)!)) {
        return finding(rule, "fail", "fail.ordering.out_of_order", `${spec.after} (${key}=${String(value)}) ran before its ${spec.before}`, [...idsOf(partners), after.event_id]);
      }
    }
    return finding(rule, "pass", "pass.ordering.satisfied", `every ${spec.after} followed its ${spec.before}`, ids);
  }

  const firstBefore = position.get(befores[0]!)!;
  const late = spec.scope === "all-occurrences"
    ? afters.filter((after) => position.get(after)! < firstBefore)
    : position.get(afters[0]!)! < firstBefore ? [afters[0]!] : [];
  return late.length > 0
    ? finding(rule, "fail", "fail.ordering.out_of_order", `${spec.after} ran before ${spec.before}`, [befores[0]!.event_id, ...idsOf(late)])
    : finding(rule, "pass", "pass.ordering.satisfied", `${spec.before} ran before ${spec.after}`, ids);
}
