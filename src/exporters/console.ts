import type { ExecutionEvent, Exporter } from "../core/types.js";

/**
 * Writes each event as one JSON line on stdout: the spec's `"console"`
 * exporter, for local runs and log-shipping setups. A closed or broken
 * stdout is ignored (telemetry never fails the call).
 */
export class ConsoleExporter implements Exporter {
  export(event: ExecutionEvent): void {
    try {
      process.stdout.write(`${JSON.stringify(event)}\n`);
    } catch {
      // Nothing sensible is left to report to.
    }
  }
}
