import { Module } from "@nestjs/common";
import { exportersFromEnv, type SampleExporters } from "../../shared/exporters-from-env.js";
import { flowIdleMsFromEnv, FlowRuns } from "../../shared/flow-runs.js";
import { loadRefundPolicy } from "../../shared/refund-policy.js";

/** Injection token of the app's {@link SampleExporters}. */
export const SAMPLE_EXPORTERS = Symbol("SAMPLE_EXPORTERS");

/** Injection token of the app's {@link FlowRuns}: its refund policy and the runs the flow monitor reported. */
export const FLOW_RUNS = Symbol("FLOW_RUNS");

export const DEFAULT_EVENTS_FILE = "sample-app/data/events.jsonl";

/**
 * Builds the exporters once from the environment, and loads the refund
 * policy. The IntentProof module sends events to the exporters and checks
 * each flow against the policy; the proof page reads both back.
 */
@Module({
  providers: [
    {
      provide: SAMPLE_EXPORTERS,
      useFactory: (): SampleExporters => exportersFromEnv(process.env, DEFAULT_EVENTS_FILE),
    },
    {
      provide: FLOW_RUNS,
      useFactory: (): FlowRuns => new FlowRuns(loadRefundPolicy(), flowIdleMsFromEnv(process.env)),
    },
  ],
  exports: [SAMPLE_EXPORTERS, FLOW_RUNS],
})
export class TelemetryModule {}
