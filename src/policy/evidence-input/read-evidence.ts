/**
 * The events `check` and `bundle` work on, read with src/evidence's log
 * reader (an evidence directory, one instance directory, or a `.jsonl` file):
 * the signed v1 records, and, for a stream of unsigned camelCase
 * ExecutionEvents (e.g. a captured stderr exporter), those events.
 */
import type { ExecutionEvent } from "../../core/types.js";
import { readEvidence as readLogStreams, type LogStream } from "../../evidence/log-reader.js";
import type { EventRecordV1 } from "../flow-builder.js";

export interface EvidenceInput {
  readonly streams: LogStream[];
  readonly records: EventRecordV1[];
  readonly executionEvents: ExecutionEvent[];
}

function isExecutionEvent(value: unknown): value is ExecutionEvent {
  const v = value as Record<string, unknown> | null;
  return v !== null && typeof v === "object" && typeof v.id === "string" && typeof v.action === "string" && typeof v.startedAt === "string";
}

/** @throws TypeError when `path` cannot be read or holds no log. */
export async function readEvidence(path: string): Promise<EvidenceInput> {
  let streams: LogStream[];
  try {
    streams = await readLogStreams(path);
  } catch (error) {
    throw new TypeError(`${path}: cannot read evidence (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const input: EvidenceInput = { streams, records: [], executionEvents: [] };
  for (const stream of streams) {
    for (const entry of stream.entries) {
      if (entry.kind === "event") input.records.push(entry.record as unknown as EventRecordV1);
      else if (entry.kind === "other" && isExecutionEvent(entry.value)) input.executionEvents.push(entry.value);
    }
  }
  return input;
}

/** Items grouped by correlation id, in first-seen order. */
export function byCorrelation<T>(items: readonly T[], correlationOf: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const id = correlationOf(item);
    if (id === undefined) continue;
    const group = groups.get(id);
    if (group === undefined) groups.set(id, [item]);
    else group.push(item);
  }
  return groups;
}
