/**
 * Builds `intentproof.flow.v1` from the events of one correlation: from signed
 * v1 records (snake_case, as the evidence layer writes them) or directly from
 * the core's ExecutionEvents.
 */
import type { ExecutionEvent } from "../core/types.js";
import { eventHash, jcs, merkleRoot, sha256Hex, sha256Tagged } from "./digest.js";
import type { Flow, FlowEvent, Scalar } from "./types.js";

/** The fields of a signed v1 record (`intentproof.event.v1`) a flow reads. */
export interface EventRecordV1 {
  event_id: string;
  tenant_id: string;
  instance_id?: string;
  correlation_id: string;
  chain_position: number;
  action: string;
  status: "ok" | "error";
  started_at: string;
  completed_at: string;
  attributes?: Record<string, Scalar>;
  signature?: unknown;
  [field: string]: unknown;
}

export interface FlowOptions {
  /** Why the flow closed (`idle_timeout`, `explicit`, `max_duration`, `evicted`, …). Default `"explicit"`. */
  readonly closureReason?: string;
  /** When it closed. Default: the last event's `completed_at`. */
  readonly closedAt?: string;
  readonly instrumentationMode?: Flow["instrumentation_mode"];
  /** Tenant of a flow built from ExecutionEvents (records carry their own). */
  readonly tenantId?: string;
}

/** A flow plus the content its events reference, ready for `evaluatePolicy`. */
export interface BuiltFlow {
  readonly flow: Flow;
  readonly events: FlowEvent[];
}

interface Entry {
  readonly event: FlowEvent;
  readonly hash: string;
}

function hashBytes(hash: string): Buffer {
  return Buffer.from(hash.slice("sha256:".length), "hex");
}

function assemble(correlationId: string, tenantId: string, entries: Entry[], options: FlowOptions): BuiltFlow {
  if (entries.length === 0) throw new TypeError(`buildFlow: correlation ${JSON.stringify(correlationId)} has no events`);
  const openedAt = entries.reduce((min, e) => (e.event.started_at < min ? e.event.started_at : min), entries[0]!.event.started_at);
  const lastCompleted = entries.reduce((max, e) => (e.event.completed_at > max ? e.event.completed_at : max), entries[0]!.event.completed_at);
  // Same correlation and same first event: the same flow id, wherever it is rebuilt.
  const flowId = `flow_${sha256Hex(jcs([tenantId, correlationId, entries[0]!.event.event_id])).slice(0, 32)}`;
  const flow: Flow = {
    schema: "intentproof.flow.v1",
    flow_id: flowId,
    tenant_id: tenantId,
    provenance_class: "platform_attested",
    correlation_id: correlationId,
    window: { opened_at: openedAt, closed_at: options.closedAt ?? lastCompleted, closure_reason: options.closureReason ?? "explicit" },
    events: entries.map((e, i) => ({ event_id: e.event.event_id, ordinal: i + 1, hash: e.hash })),
    instrumentation_mode: options.instrumentationMode ?? "full",
    // RFC 6962 over the 32-byte event digests, in chain order.
    flow_merkle_root: merkleRoot(entries.map((e) => hashBytes(e.hash))),
    snapshot_uri: `urn:intentproof:flow:${flowId}`,
  };
  return { flow, events: entries.map((e) => e.event) };
}

function sameCorrelation<T>(items: readonly T[], correlationOf: (item: T) => string | undefined, owner: string): string {
  const first = items.length > 0 ? correlationOf(items[0]!) : undefined;
  if (first === undefined) throw new TypeError(`${owner}: events need a correlation id`);
  for (const item of items) {
    if (correlationOf(item) !== first) throw new TypeError(`${owner}: events of several correlations (${JSON.stringify(first)}, ${JSON.stringify(correlationOf(item))}); build one flow per correlation`);
  }
  return first;
}

/**
 * The flow of signed v1 records of one correlation, in chain order (chain
 * position; records of several SDK instances are ordered by completion time).
 */
export function buildFlowFromRecords(records: readonly EventRecordV1[], options: FlowOptions = {}): BuiltFlow {
  const correlationId = sameCorrelation(records, (r) => r.correlation_id, "buildFlowFromRecords");
  const instances = new Set(records.map((r) => r.instance_id));
  const ordered = [...records].sort((a, b) =>
    instances.size === 1
      ? a.chain_position - b.chain_position
      : a.completed_at < b.completed_at ? -1 : a.completed_at > b.completed_at ? 1 : a.chain_position - b.chain_position,
  );
  const entries = ordered.map((record) => ({
    hash: eventHash(record),
    event: {
      event_id: record.event_id,
      action: record.action,
      status: record.status,
      started_at: record.started_at,
      completed_at: record.completed_at,
      ...(record.attributes === undefined ? {} : { attributes: record.attributes }),
    },
  }));
  return assemble(correlationId, options.tenantId ?? records[0]!.tenant_id, entries, options);
}

/** One ExecutionEvent as the evaluator reads it. */
export function flowEventOf(event: ExecutionEvent): FlowEvent {
  return {
    event_id: event.id,
    action: event.action,
    status: event.status,
    started_at: event.startedAt,
    completed_at: event.completedAt,
    ...(event.attributes === undefined ? {} : { attributes: event.attributes }),
  };
}

/**
 * The flow of ExecutionEvents of one correlation, in the order given (the
 * order they were emitted). Each is referenced by the hash of its canonical
 * JSON, since an ExecutionEvent has no signed record yet.
 */
export function buildFlowFromEvents(events: readonly ExecutionEvent[], options: FlowOptions = {}): BuiltFlow {
  const correlationId = sameCorrelation(events, (e) => e.correlationId, "buildFlowFromEvents");
  const entries = events.map((event) => ({ event: flowEventOf(event), hash: sha256Tagged(jcs(event)) }));
  return assemble(correlationId, options.tenantId ?? "default", entries, options);
}
