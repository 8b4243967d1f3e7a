/**
 * Checks the service's own flows against policies while it runs. Added like
 * an exporter: `export(event)` only files the event under its correlation
 * (O(1), never throws); flows close on idle, maximum duration, an explicit
 * `close()` or memory bounds, and are evaluated later on a macrotask, off the
 * path of the call that emitted the event.
 */
import { trustExporter } from "../core/shared-event.js";
import type { ExecutionEvent, Exporter } from "../core/types.js";
import { evaluatePolicy } from "./evaluate.js";
import { buildFlowFromEvents } from "./flow-builder.js";
import {
  resolveMonitorOptions,
  type ClosureReason,
  type FlowMonitorOptions,
  type ResolvedMonitorOptions,
} from "./flow-monitor-options.js";
import { scopeMatches } from "./scope.js";

interface OpenFlow {
  readonly correlationId: string;
  readonly events: ExecutionEvent[];
  readonly openedAt: number;
  lastSeenAt: number;
}

interface ClosedFlow {
  readonly open: OpenFlow;
  readonly reason: ClosureReason;
  readonly closedAt: number;
}

/** Counters for dashboards and tests. */
export interface FlowMonitorStats {
  openFlows: number;
  /** Events held by open flows. */
  bufferedEvents: number;
  flowsClosed: number;
  flowsCutShort: number;
  runs: number;
  /** Events without a correlation id: they belong to no flow. */
  uncorrelatedEvents: number;
}

// Flows closed early to respect a bound: reported, never dropped silently.
const CUT_SHORT: ReadonlySet<ClosureReason> = new Set(["evicted", "max_events"]);
// Evaluations per macrotask before yielding back to the event loop.
const BATCH = 64;

export class FlowMonitor implements Exporter {
  private readonly options: ResolvedMonitorOptions;
  // Insertion order is least recently active first: an event moves its flow to the end.
  private readonly open = new Map<string, OpenFlow>();
  private readonly closed: ClosedFlow[] = [];
  private drainScheduled = false;
  private drained: Array<() => void> = [];
  private sweeper: NodeJS.Timeout | undefined;
  private stopped = false;
  private buffered = 0;
  private readonly counters: FlowMonitorStats = { openFlows: 0, bufferedEvents: 0, flowsClosed: 0, flowsCutShort: 0, runs: 0, uncorrelatedEvents: 0 };

  constructor(options: FlowMonitorOptions) {
    this.options = resolveMonitorOptions(options);
    // It only reads the events it holds (its hooks get flows and runs, not
    // events): it may share the object other exporters hold.
    if (new.target === FlowMonitor) trustExporter(this);
  }

  // Started by the first event: a monitor that never sees one (e.g. built
  // while a configuration is only checked) holds no timer.
  private startSweeper(): NodeJS.Timeout {
    const period = Math.max(10, Math.min(this.options.idleMs, this.options.maxFlowMs) / 4);
    const sweeper = setInterval(() => this.sweep(Date.now()), period);
    sweeper.unref();
    return sweeper;
  }

  export(event: ExecutionEvent): void {
    if (this.stopped) return;
    const correlationId = event.correlationId;
    if (correlationId === undefined) {
      this.counters.uncorrelatedEvents++;
      return;
    }
    this.sweeper ??= this.startSweeper();
    const now = Date.now();
    let flow = this.open.get(correlationId);
    if (flow === undefined) {
      flow = { correlationId, events: [], openedAt: now, lastSeenAt: now };
      if (this.open.size >= this.options.maxOpenFlows) this.closeOldest();
    } else {
      this.open.delete(correlationId);
    }
    flow.events.push(event);
    flow.lastSeenAt = now;
    this.buffered++;
    this.open.set(correlationId, flow);
    if (flow.events.length >= this.options.maxEventsPerFlow) this.closeFlow(flow, "max_events", now);
    while (this.buffered > this.options.maxBufferedEvents) this.closeOldest();
  }

  /** Closes the flow of `correlationId` now (e.g. at the end of a business transaction). */
  close(correlationId: string): void {
    const flow = this.open.get(correlationId);
    if (flow !== undefined) this.closeFlow(flow, "explicit", Date.now());
  }

  /** Resolves once every flow closed so far is evaluated and reported. Open flows stay open. */
  flush(): Promise<void> {
    if (this.closed.length === 0 && !this.drainScheduled) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  /** Closes every open flow, evaluates them, and stops the monitor. */
  async shutdown(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      clearInterval(this.sweeper);
      const now = Date.now();
      for (const flow of [...this.open.values()]) this.closeFlow(flow, "shutdown", now);
    }
    await this.flush();
  }

  stats(): FlowMonitorStats {
    return { ...this.counters, openFlows: this.open.size, bufferedEvents: this.buffered };
  }

  private sweep(now: number): void {
    const { idleMs, maxFlowMs } = this.options;
    for (const flow of [...this.open.values()]) {
      if (now - flow.openedAt >= maxFlowMs) this.closeFlow(flow, "max_duration", now);
      else if (now - flow.lastSeenAt >= idleMs) this.closeFlow(flow, "idle_timeout", now);
    }
  }

  private closeOldest(): void {
    const oldest = this.open.values().next();
    if (oldest.done !== true) this.closeFlow(oldest.value, "evicted", Date.now());
  }

  private closeFlow(flow: OpenFlow, reason: ClosureReason, now: number): void {
    this.open.delete(flow.correlationId);
    this.buffered -= flow.events.length;
    this.closed.push({ open: flow, reason, closedAt: now });
    this.counters.flowsClosed++;
    if (CUT_SHORT.has(reason)) this.counters.flowsCutShort++;
    if (!this.drainScheduled) {
      this.drainScheduled = true;
      setImmediate(() => this.drain());
    }
  }

  private drain(): void {
    for (let i = 0; i < BATCH && this.closed.length > 0; i++) this.evaluate(this.closed.shift()!);
    if (this.closed.length > 0) {
      setImmediate(() => this.drain());
      return;
    }
    this.drainScheduled = false;
    const waiting = this.drained;
    this.drained = [];
    for (const resolve of waiting) resolve();
  }

  private evaluate({ open, reason, closedAt }: ClosedFlow): void {
    const { policies, onRun, onFinding, onError, tenantId } = this.options;
    const applicable = policies.filter((policy) => scopeMatches(policy, open.events));
    if (applicable.length === 0) return;
    try {
      const built = buildFlowFromEvents(open.events, {
        tenantId,
        closureReason: reason,
        closedAt: new Date(closedAt).toISOString(),
      });
      const monitored = { flow: built.flow, closureReason: reason, cutShort: CUT_SHORT.has(reason) };
      for (const policy of applicable) {
        const run = evaluatePolicy(policy, built);
        this.counters.runs++;
        this.report(() => onRun?.(run, monitored), onError);
        if (onFinding !== undefined) {
          for (const finding of run.findings) if (finding.outcome !== "pass") this.report(() => onFinding(finding, run), onError);
        }
      }
    } catch (error) {
      this.report(() => onError(error), () => {});
    }
  }

  private report(hook: () => void, onError: (error: unknown) => void): void {
    try {
      hook();
    } catch (error) {
      try {
        onError(error);
      } catch {
        // The error hook itself failed; nothing is left to tell.
      }
    }
  }
}
