import { eventsOf, idsOf, matchesWhere } from "../event-match.js";
import type { AttributePredicate, Finding, FlowEvent, PolicyRule } from "../types.js";
import type { RuleContext } from "./context.js";
import { finding } from "./finding.js";

interface ForbiddenSpec {
  action: string;
  after?: string;
  where?: AttributePredicate;
  where_predecessor?: AttributePredicate;
  without_predecessor?: string;
}

/**
 * "After" is chain order (the flow's event order), not timestamps: two events
 * of one correlation can share a millisecond, their chain positions cannot.
 * An event is never its own predecessor (`action` and `after` may be equal:
 * "no second refund after a successful one").
 */
export function evaluateForbidden(rule: PolicyRule, { events }: RuleContext): Finding {
  const spec = rule.spec as unknown as ForbiddenSpec;
  const position = new Map<FlowEvent, number>(events.map((event, i) => [event, i]));
  const forbidden = eventsOf(events, spec.action, spec.where);

  if (spec.after === undefined) {
    return forbidden.length > 0
      ? finding(rule, "fail", "fail.forbidden.present", `forbidden step ran: ${spec.action}`, idsOf(forbidden))
      : finding(rule, "pass", "pass.forbidden.absent", `${spec.action} did not occur`);
  }

  const gates = eventsOf(events, spec.after);
  const firstGate = gates.length > 0 ? position.get(gates[0]!)! : Infinity;
  const gated = forbidden.filter((event) => position.get(event)! > firstGate);

  if (spec.without_predecessor !== undefined) {
    // Forbidden after `after` unless a `without_predecessor` event came first.
    const required = eventsOf(events, spec.without_predecessor);
    const unpreceded = gated.filter((event) => !required.some((p) => position.get(p)! < position.get(event)!));
    return unpreceded.length > 0
      ? finding(rule, "fail", "fail.forbidden.without_predecessor", `${spec.action} ran after ${spec.after} without ${spec.without_predecessor} before it`, idsOf(unpreceded))
      : finding(rule, "pass", "pass.forbidden.absent", `${spec.action} did not run after ${spec.after} without ${spec.without_predecessor}`);
  }

  const violating = forbidden.filter((event) =>
    gates.some((gate) => position.get(gate)! < position.get(event)! && matchesWhere(gate, spec.where_predecessor)),
  );
  if (violating.length > 0) {
    const predecessor = gates.find((gate) => position.get(gate)! < position.get(violating[0]!)! && matchesWhere(gate, spec.where_predecessor))!;
    return finding(rule, "fail", "fail.forbidden.after_predecessor", `${spec.action} ran after ${spec.after}`, [predecessor.event_id, ...idsOf(violating)]);
  }
  return finding(rule, "pass", "pass.forbidden.absent", `${spec.action} did not run after ${spec.after}`);
}
