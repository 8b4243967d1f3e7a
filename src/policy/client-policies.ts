/**
 * Fills the core's policy extension point: a client configured with
 * `policies` gets a FlowMonitor appended to its exporters. The public entries
 * call this as they load, so `policies` works wherever a user can import a
 * client or the Nest module; package.json lists those entries in
 * "sideEffects" so bundlers keep the call.
 */
import { providePolicyMonitor } from "../core/extensions/policy-monitor.js";
import { FlowMonitor } from "./flow-monitor.js";
import { checkedMonitorOptions, readMonitorOptions } from "./flow-monitor-options.js";

export function installClientPolicies(): void {
  providePolicyMonitor((policies, settings, defaultOnError) => {
    const resolved = readMonitorOptions(policies, "policies", settings, defaultOnError);
    return () => new FlowMonitor(checkedMonitorOptions(resolved));
  });
}
