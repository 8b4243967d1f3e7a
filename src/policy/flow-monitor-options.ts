import { POLICY_MONITOR_FIELDS, type PolicyMonitorSettings } from "../core/extensions/policy-monitor.js";
import { optionError, OptionsReader } from "../core/options/options-reader.js";
import { parsePolicy } from "./load-policy.js";
import type { Policy } from "./types.js";

export type { ClosureReason, MonitoredFlow } from "../core/extensions/policy-monitor.js";

export interface FlowMonitorOptions extends PolicyMonitorSettings {
  /** The policies to check each closed flow against (objects, e.g. from `loadPolicyFile` or `definePolicy`). */
  policies: readonly Policy[];
}

export interface ResolvedMonitorOptions {
  readonly policies: readonly Policy[];
  readonly idleMs: number;
  readonly maxFlowMs: number;
  readonly maxOpenFlows: number;
  readonly maxEventsPerFlow: number;
  readonly maxBufferedEvents: number;
  readonly tenantId: string;
  readonly onRun?: PolicyMonitorSettings["onRun"];
  readonly onFinding?: PolicyMonitorSettings["onFinding"];
  readonly onError: (error: unknown) => void;
}

const OWNER = "FlowMonitor";

function warn(error: unknown): void {
  process.emitWarning(`intentproof FlowMonitor hook failed: ${error instanceof Error ? error.message : String(error)}`);
}

/**
 * Checks `policies` (named `policiesField` in messages) and the monitor
 * settings `reader` holds; shared by `new FlowMonitor(options)` and a
 * client's `policies` + `policyMonitor` options.
 */
export function readMonitorOptions(
  policies: unknown,
  policiesField: string,
  reader: OptionsReader,
  defaultOnError: (error: unknown) => void = warn,
): ResolvedMonitorOptions {
  const owner = reader.owner;
  if (!Array.isArray(policies) || policies.length === 0) {
    throw optionError(owner, policiesField, "must be a non-empty array of intentproof.policy.v1 objects", policies);
  }
  const parsed = policies.map((policy, i) => parsePolicy(policy, `${owner}: "${policiesField}[${i}]"`));
  return {
    policies: parsed,
    idleMs: reader.timeoutMs("idleMs", undefined, 30_000),
    maxFlowMs: reader.timeoutMs("maxFlowMs", undefined, 300_000),
    maxOpenFlows: reader.positiveInteger("maxOpenFlows", 10_000),
    maxEventsPerFlow: reader.positiveInteger("maxEventsPerFlow", 1000),
    maxBufferedEvents: reader.positiveInteger("maxBufferedEvents", 100_000),
    tenantId: reader.text("tenantId", parsed[0]!.tenant_id),
    onRun: reader.function("onRun"),
    onFinding: reader.function("onFinding"),
    onError: reader.function<(error: unknown) => void>("onError") ?? defaultOnError,
  };
}

// Options a client has already checked (its `policies` + `policyMonitor`), not checked twice.
const checked = new WeakSet<object>();

/** Marks options read by `readMonitorOptions` so `new FlowMonitor(options)` takes them as they are. */
export function checkedMonitorOptions(resolved: ResolvedMonitorOptions): FlowMonitorOptions {
  checked.add(resolved);
  return resolved;
}

export function resolveMonitorOptions(options: unknown): ResolvedMonitorOptions {
  if (typeof options === "object" && options !== null && checked.has(options)) return options as ResolvedMonitorOptions;
  const reader = new OptionsReader(OWNER, options, ["policies", ...POLICY_MONITOR_FIELDS]);
  return readMonitorOptions(reader.raw("policies"), "policies", reader);
}
