import type { ExecutionEvent, Exporter } from "../core/types.js";
import { trustExporter } from "../core/shared-event.js";

/**
 * Writes each event as one JSON line on stdout: the spec's `"console"`
 * exporter, for local runs and log-shipping setups. A closed or broken
 * stdout is ignored (telemetry never fails the call).
 */
export class ConsoleExporter implements Exporter {
  constructor() {
    // Only reads the event: it may share the object other exporters hold.
    if (new.target === ConsoleExporter) trustExporter(this);
  }

  export(event: ExecutionEvent): void {
    try {
      process.stdout.write(`${JSON.stringify(event)}\n`);
    } catch {
      // Nothing sensible is left to report to.
    }
  }
}
