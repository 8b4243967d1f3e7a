import { durationMs } from "../duration.js";
import { eventsOf } from "../event-match.js";
import type { Finding, FlowEvent, PolicyRule } from "../types.js";
import type { RuleContext } from "./context.js";
import { finding } from "./finding.js";

type Anchor = "started_at" | "completed_at";
interface TemporalSpec {
  from: { action: string; anchor?: Anchor };
  to: { action: string; anchor?: Anchor };
  min?: string;
  max?: string;
  clock_skew_tolerance?: string;
}

// The earliest anchor time among the action's events; completed_at when the
// rule names no anchor (what the upstream verifier always reads).
function earliest(events: FlowEvent[], anchor: Anchor): { event: FlowEvent; at: number } | undefined {
  let best: { event: FlowEvent; at: number } | undefined;
  for (const event of events) {
    const at = Date.parse(event[anchor]);
    if (!Number.isNaN(at) && (best === undefined || at < best.at)) best = { event, at };
  }
  return best;
}

export function evaluateTemporal(rule: PolicyRule, { events }: RuleContext): Finding {
  const spec = rule.spec as unknown as TemporalSpec;
  const from = earliest(eventsOf(events, spec.from.action), spec.from.anchor ?? "completed_at");
  const to = earliest(eventsOf(events, spec.to.action), spec.to.anchor ?? "completed_at");
  if (from === undefined || to === undefined) {
    const missing = from === undefined ? spec.from.action : spec.to.action;
    const found = (from ?? to)?.event.event_id;
    return finding(rule, "inconclusive", "inconclusive.temporal.missing_anchor", `${missing} did not occur (or has no usable timestamp)`, found === undefined ? [] : [found]);
  }
  const ids = [from.event.event_id, to.event.event_id];
  const min = spec.min === undefined ? undefined : durationMs(spec.min, from.at);
  const max = spec.max === undefined ? undefined : durationMs(spec.max, from.at);
  const tolerance = spec.clock_skew_tolerance === undefined ? 0 : durationMs(spec.clock_skew_tolerance, from.at);
  if ((spec.min !== undefined && min === undefined) || (spec.max !== undefined && max === undefined) || tolerance === undefined) {
    return finding(rule, "inconclusive", "inconclusive.temporal.duration_invalid", "a duration of the rule is not ISO 8601", ids);
  }
  const interval = to.at - from.at;
  const span = `${interval} ms from ${spec.from.action} to ${spec.to.action}`;
  if (interval < 0) {
    return -interval <= tolerance
      ? finding(rule, "inconclusive", "inconclusive.temporal.clock_skew_within_tolerance", `${span}: negative, within the clock-skew tolerance`, ids)
      : finding(rule, "fail", "fail.temporal.negative_interval", `${span}: ${spec.to.action} came first`, ids);
  }
  if (max !== undefined && interval > max) return finding(rule, "fail", "fail.temporal.exceeded_max", `${span}, more than ${spec.max}`, ids);
  if (min !== undefined && interval < min) return finding(rule, "fail", "fail.temporal.below_min", `${span}, less than ${spec.min}`, ids);
  return finding(rule, "pass", "pass.temporal.within_window", `${span}, within the window`, ids);
}
