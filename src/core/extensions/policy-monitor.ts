/**
 * The extension point through which a client's `policies` option becomes a
 * flow monitor. Core never imports the policy layer (it depends on core, not
 * the reverse): the policy layer fills this slot, and the entries a client
 * or the Nest module comes from (`intentproof`, `intentproof/nestjs`) have it
 * do so as they load, so the slot is filled wherever a user can write
 * `policies`.
 */
import type { AnyExporter } from "../types.js";
import type { OptionsReader } from "../options/options-reader.js";
import type { Finding, Flow, Run } from "./policy-documents.js";

/** Why a monitored flow was closed (its `window.closure_reason`). */
export type ClosureReason = "idle_timeout" | "max_duration" | "max_events" | "evicted" | "explicit" | "shutdown";

/** What `onRun` is told besides the run. */
export interface MonitoredFlow {
  readonly flow: Flow;
  readonly closureReason: ClosureReason;
  /** True when the flow was closed early to respect `maxOpenFlows` or `maxEventsPerFlow`: its run may lack later events. */
  readonly cutShort: boolean;
}

/** How a flow monitor groups, bounds and reports flows (the client's `policyMonitor` option). */
export interface PolicyMonitorSettings {
  /** A flow closes after this long without a new event. Default 30 000 ms. */
  idleMs?: number;
  /** A flow closes this long after its first event, active or not. Default 300 000 ms. */
  maxFlowMs?: number;
  /** Open flows kept at most; the least recently active is closed early beyond it. Default 10 000. */
  maxOpenFlows?: number;
  /** Events kept per flow at most; a flow reaching it is closed early. Default 1000. */
  maxEventsPerFlow?: number;
  /** Events kept across all open flows at most; beyond it the least recently active flows are closed early. Default 100 000. */
  maxBufferedEvents?: number;
  /** `tenant_id` of the flows. Default: the first policy's tenant. */
  tenantId?: string;
  /** Called once per (flow, policy) evaluated. */
  onRun?: (run: Run, flow: MonitoredFlow) => void;
  /** Called for every finding that did not pass (fail or inconclusive). */
  onFinding?: (finding: Finding, run: Run) => void;
  /** Where a throwing hook's error goes. Default: a process warning (for a client's monitor: its `onExporterError`). */
  onError?: (error: unknown) => void;
}

/** The fields of {@link PolicyMonitorSettings}, for unknown-field checks. */
export const POLICY_MONITOR_FIELDS = [
  "idleMs",
  "maxFlowMs",
  "maxOpenFlows",
  "maxEventsPerFlow",
  "maxBufferedEvents",
  "tenantId",
  "onRun",
  "onFinding",
  "onError",
] as const;

/**
 * Validates the client's `policies` and `policyMonitor` (TypeErrors naming
 * `reader`'s owner and the field) and returns how to create the monitor, so
 * a configuration that is only checked starts no timer.
 */
export type PolicyMonitorFactory = (
  policies: unknown,
  settings: OptionsReader,
  defaultOnError: (error: unknown) => void,
) => () => AnyExporter;

let factory: PolicyMonitorFactory | undefined;

/** Called once by the policy layer as it loads. */
export function providePolicyMonitor(create: PolicyMonitorFactory): void {
  factory = create;
}

/** The policy layer's factory, or a TypeError saying how to load it. */
export function policyMonitorFactory(owner: string): PolicyMonitorFactory {
  if (factory === undefined) {
    throw new TypeError(
      `${owner}: "policies" needs intentproof's policy layer, which is not loaded (a bundler may have dropped it): ` +
        `add import "intentproof" to your entry file, or pass a FlowMonitor in "exporters" instead`,
    );
  }
  return factory;
}
