import type { Attestation, FlowEvent } from "../types.js";

/** What every rule reads: the flow's events in chain order and the attestations about it. */
export interface RuleContext {
  readonly events: readonly FlowEvent[];
  readonly attestations: readonly Attestation[];
}
