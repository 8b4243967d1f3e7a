/**
 * Groups events into chains, one per correlation id: the steps one request
 * (or one background job) went through, in the order they started.
 */
import type { ExecutionEvent } from "intentproof";

export interface Chain {
  correlationId: string;
  status: "ok" | "error";
  startedAt: string;
  completedAt: string;
  /** From the first step's start to the last step's end. */
  durationMs: number;
  steps: ExecutionEvent[];
}

interface Indexed {
  event: ExecutionEvent;
  index: number;
}

// Timestamps have millisecond resolution, so an outer call and the call it
// encloses can share both. An enclosing step starts no later and ends no
// earlier, and settles (so is exported) after what it encloses: on a start
// tie the one ending later comes first, on a full tie the one exported later.
function byStart(a: Indexed, b: Indexed): number {
  if (a.event.startedAt !== b.event.startedAt) return a.event.startedAt < b.event.startedAt ? -1 : 1;
  if (a.event.completedAt !== b.event.completedAt) return a.event.completedAt > b.event.completedAt ? -1 : 1;
  return b.index - a.index;
}

/** Chains newest first; `onlyCorrelationId` keeps the one chain with that id. */
export function groupIntoChains(events: readonly ExecutionEvent[], onlyCorrelationId?: string): Chain[] {
  const groups = new Map<string, Indexed[]>();
  events.forEach((event, index) => {
    // An event without a correlation id is a chain of its own.
    const key = event.correlationId ?? `uncorrelated:${event.id}`;
    if (onlyCorrelationId !== undefined && key !== onlyCorrelationId) return;
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = []));
    group.push({ event, index });
  });
  const chains: Chain[] = [];
  for (const [correlationId, group] of groups) {
    const steps = group.sort(byStart).map((entry) => entry.event);
    const startedAt = steps[0]!.startedAt;
    const completedAt = steps.reduce((latest, step) => (step.completedAt > latest ? step.completedAt : latest), startedAt);
    chains.push({
      correlationId,
      status: steps.some((step) => step.status === "error") ? "error" : "ok",
      startedAt,
      completedAt,
      durationMs: Date.parse(completedAt) - Date.parse(startedAt),
      steps,
    });
  }
  return chains.sort((a, b) => (a.startedAt === b.startedAt ? 0 : a.startedAt > b.startedAt ? -1 : 1));
}
