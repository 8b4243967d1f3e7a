import { OptionsReader } from "../core/options/options-reader.js";
import { parsePolicy } from "./load-policy.js";
import type { Finding, Flow, Policy, Run } from "./types.js";

/** Why a monitored flow was closed (its `window.closure_reason`). */
export type ClosureReason = "idle_timeout" | "max_duration" | "max_events" | "evicted" | "explicit" | "shutdown";

/** What `onRun` is told besides the run. */
export interface MonitoredFlow {
  readonly flow: Flow;
  readonly closureReason: ClosureReason;
  /** True when the flow was closed early to respect `maxOpenFlows` or `maxEventsPerFlow`: its run may lack later events. */
  readonly cutShort: boolean;
}

export interface FlowMonitorOptions {
  /** The policies to check each closed flow against (objects, e.g. from `loadPolicyFile` or `definePolicy`). */
  policies: readonly Policy[];
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
  /** Where a throwing hook's error goes. Default: a process warning. */
  onError?: (error: unknown) => void;
}

export interface ResolvedMonitorOptions {
  readonly policies: readonly Policy[];
  readonly idleMs: number;
  readonly maxFlowMs: number;
  readonly maxOpenFlows: number;
  readonly maxEventsPerFlow: number;
  readonly maxBufferedEvents: number;
  readonly tenantId: string;
  readonly onRun?: FlowMonitorOptions["onRun"];
  readonly onFinding?: FlowMonitorOptions["onFinding"];
  readonly onError: (error: unknown) => void;
}

const OWNER = "FlowMonitor";
const KNOWN = ["policies", "idleMs", "maxFlowMs", "maxOpenFlows", "maxEventsPerFlow", "maxBufferedEvents", "tenantId", "onRun", "onFinding", "onError"];

function warn(error: unknown): void {
  process.emitWarning(`intentproof FlowMonitor hook failed: ${error instanceof Error ? error.message : String(error)}`);
}

export function resolveMonitorOptions(options: unknown): ResolvedMonitorOptions {
  const reader = new OptionsReader(OWNER, options, KNOWN);
  const raw = reader.raw("policies");
  if (!Array.isArray(raw) || raw.length === 0) reader.fail("policies", "must be a non-empty array of intentproof.policy.v1 objects");
  const policies = (raw as unknown[]).map((policy, i) => parsePolicy(policy, `${OWNER}: "policies[${i}]"`));
  return {
    policies,
    idleMs: reader.timeoutMs("idleMs", undefined, 30_000),
    maxFlowMs: reader.timeoutMs("maxFlowMs", undefined, 300_000),
    maxOpenFlows: reader.positiveInteger("maxOpenFlows", 10_000),
    maxEventsPerFlow: reader.positiveInteger("maxEventsPerFlow", 1000),
    maxBufferedEvents: reader.positiveInteger("maxBufferedEvents", 100_000),
    tenantId: reader.text("tenantId", policies[0]!.tenant_id),
    onRun: reader.function("onRun"),
    onFinding: reader.function("onFinding"),
    onError: reader.function<(error: unknown) => void>("onError") ?? warn,
  };
}
