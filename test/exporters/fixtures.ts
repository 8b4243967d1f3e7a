/**
 * Hand-built, well-formed events for the exporter tests (exporters never
 * create events). Each one goes through the shared checker.
 */
import { randomUUID } from "node:crypto";
import type { ExecutionEvent } from "../../src/core/types.js";
import { expectValidEvent } from "../support/event-validator.js";

const STARTED = Date.parse("2025-01-02T03:04:05.000Z");

/** A valid `ok` event whose `inputs.n` (and `attributes.seq`) is `n`. */
export function makeEvent(n = 0, overrides: Partial<ExecutionEvent> = {}): ExecutionEvent {
  const started = STARTED + n;
  const event: ExecutionEvent = {
    id: randomUUID(),
    correlationId: `corr-${n}`,
    intent: "Return captured funds to the customer",
    action: "stripe.refund.create",
    inputs: { n },
    output: { refunded: true },
    status: "ok",
    startedAt: new Date(started).toISOString(),
    completedAt: new Date(started + 5).toISOString(),
    durationMs: 5,
    attributes: { seq: n },
    ...overrides,
  };
  expectValidEvent(event);
  return event;
}

/** `count` events numbered 0..count-1. */
export function makeEvents(count: number): ExecutionEvent[] {
  return Array.from({ length: count }, (_, n) => makeEvent(n));
}

/** The `n` of events made by {@link makeEvent}. */
export function seqOf(event: ExecutionEvent): number {
  return event.inputs.n as number;
}
