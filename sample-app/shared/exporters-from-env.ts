/**
 * Where the sample app's events go, decided by environment variables:
 * always a MemoryExporter (it feeds the proof page) and a JSON-lines file;
 * also a collector over HTTP when INTENTPROOF_COLLECTOR_URL is set.
 */
import { resolve } from "node:path";
import { BoundedQueueExporter, HttpExporter, MemoryExporter, type Exporter } from "intentproof";
import { JsonLinesFileExporter } from "./jsonl-file-exporter.js";

export interface SampleExporters {
  /** The recent events the proof page shows. */
  memory: MemoryExporter;
  file: JsonLinesFileExporter;
  /** The collector's origin (never its path or query, which may hold a key), when one is set. */
  collectorOrigin: string | undefined;
  /** Every exporter, in the order the client calls them. */
  all: Exporter[];
}

export function exportersFromEnv(env: NodeJS.ProcessEnv, defaultEventsFile: string): SampleExporters {
  const memory = new MemoryExporter({ maxEvents: 500 });
  const file = new JsonLinesFileExporter(resolve(env.INTENTPROOF_EVENTS_FILE || defaultEventsFile));
  const all: Exporter[] = [memory, file];

  const collectorUrl = env.INTENTPROOF_COLLECTOR_URL?.trim();
  let collectorOrigin: string | undefined;
  if (collectorUrl) {
    const token = env.INTENTPROOF_COLLECTOR_TOKEN?.trim();
    const http = new HttpExporter({
      url: collectorUrl,
      // The token travels in a header, never in the URL, and is never logged.
      headers: token ? { authorization: `Bearer ${token}` } : {},
      timeoutMs: 5000,
    });
    // The queue keeps a slow or unreachable collector from piling up requests.
    all.push(new BoundedQueueExporter({ exporter: http, maxConcurrent: 4, maxQueue: 1000 }));
    collectorOrigin = new URL(collectorUrl).origin;
  }
  return { memory, file, collectorOrigin, all };
}
