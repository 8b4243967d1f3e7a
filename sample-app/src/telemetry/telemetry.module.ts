import { Module } from "@nestjs/common";
import { exportersFromEnv, type SampleExporters } from "../../shared/exporters-from-env.js";

/** Injection token of the app's {@link SampleExporters}. */
export const SAMPLE_EXPORTERS = Symbol("SAMPLE_EXPORTERS");

export const DEFAULT_EVENTS_FILE = "sample-app/data/events.jsonl";

/**
 * Builds the exporters once from the environment. The IntentProof module
 * sends events to them; the proof page reads the in-memory ones back.
 */
@Module({
  providers: [
    {
      provide: SAMPLE_EXPORTERS,
      useFactory: (): SampleExporters => exportersFromEnv(process.env, DEFAULT_EVENTS_FILE),
    },
  ],
  exports: [SAMPLE_EXPORTERS],
})
export class TelemetryModule {}
