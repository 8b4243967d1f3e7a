import { jcs } from "./digest.js";
import type { AttributePredicate, FlowEvent } from "./types.js";

/** Equality of claim and attribute values: same JSON value (numbers by value, objects by content). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  return jcs(a) === jcs(b);
}

export function matchesWhere(event: FlowEvent, where: AttributePredicate | undefined): boolean {
  if (where === undefined) return true;
  if (where.status !== undefined && event.status !== where.status) return false;
  if (where.attribute !== undefined) {
    const attributes = event.attributes ?? {};
    if (!Object.prototype.hasOwnProperty.call(attributes, where.attribute)) return false;
    const value = attributes[where.attribute];
    if (where.equals !== undefined && !sameValue(value, where.equals)) return false;
    if (where.in !== undefined && !where.in.some((candidate) => sameValue(value, candidate))) return false;
  }
  return true;
}

/** The events of `action` (in flow order) that satisfy `where`. */
export function eventsOf(events: readonly FlowEvent[], action: string, where?: AttributePredicate): FlowEvent[] {
  const matched: FlowEvent[] = [];
  for (const event of events) if (event.action === action && matchesWhere(event, where)) matched.push(event);
  return matched;
}

export const idsOf = (events: readonly FlowEvent[]): string[] => events.map((event) => event.event_id);
