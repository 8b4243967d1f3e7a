import type { FlowEvent, Policy } from "./types.js";

/**
 * Whether `policy` is to be evaluated on a flow with these events: its scope
 * matches when any event's action is in `scope.any_event_action_in` (an empty
 * or absent list matches every flow).
 */
export function scopeMatches(policy: Policy, events: readonly Pick<FlowEvent, "action">[]): boolean {
  const actions = policy.scope.any_event_action_in;
  if (actions === undefined || actions.length === 0) return true;
  return events.some((event) => actions.includes(event.action));
}
