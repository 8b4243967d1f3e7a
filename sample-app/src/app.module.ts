import { Module } from "@nestjs/common";
import { IntentProofModule } from "intentproof/nestjs";
import type { SampleExporters } from "../shared/exporters-from-env.js";
import { NotificationsModule } from "./notifications/notifications.module.js";
import { PaymentsModule } from "./payments/payments.module.js";
import { ProbeModule } from "./probe/probe.module.js";
import { ProofPageModule } from "./proof-page/proof-page.module.js";
import { RefundsModule } from "./refunds/refunds.module.js";
import type { FlowRuns } from "../shared/flow-runs.js";
import { FLOW_RUNS, SAMPLE_EXPORTERS, TelemetryModule } from "./telemetry/telemetry.module.js";

@Module({
  imports: [
    // Global by default: every module below can use @IntentProof and inject IntentProofClient.
    IntentProofModule.forRootAsync({
      imports: [TelemetryModule],
      inject: [SAMPLE_EXPORTERS, FLOW_RUNS],
      useFactory: (sinks: SampleExporters, runs: FlowRuns) => ({
        exporters: sinks.all,
        // Every refund flow is checked against the refund policy once it has been idle
        // for INTENTPROOF_FLOW_IDLE_MS; the proof page shows each run.
        policies: [runs.policy],
        policyMonitor: runs.monitorSettings(),
        defaultAttributes: { service: "billing-api", env: process.env.NODE_ENV || "development" },
        // These records are meant for people outside engineering: no stack traces.
        includeErrorStack: false,
      }),
    }),
    PaymentsModule,
    NotificationsModule,
    RefundsModule,
    ProbeModule,
    ProofPageModule,
  ],
})
export class AppModule {}
