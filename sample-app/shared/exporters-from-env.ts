/**
 * Where the sample app's events go, decided by environment variables:
 * always a MemoryExporter (it feeds the proof page), a JSON-lines file and
 * signed evidence in an `evidence/` directory beside that file
 * (INTENTPROOF_EVIDENCE_DIR to move it); also a collector over HTTP when
 * INTENTPROOF_COLLECTOR_URL is set.
 */
import { dirname, join, resolve } from "node:path";
import { BoundedQueueExporter, EvidenceExporter, HttpExporter, MemoryExporter, type Exporter } from "intentproof";
import { JsonLinesFileExporter } from "./jsonl-file-exporter.js";

export interface SampleExporters {
  /** The recent events the proof page shows. */
  memory: MemoryExporter;
  file: JsonLinesFileExporter;
  /** Every record signed, chained and kept on disk; the proof page verifies it. */
  evidence: EvidenceExporter;
  /** The collector's origin (never its path or query, which may hold a key), when one is set. */
  collectorOrigin: string | undefined;
  /** Every exporter, in the order the client calls them. */
  all: Exporter[];
}

export function exportersFromEnv(env: NodeJS.ProcessEnv, defaultEventsFile: string): SampleExporters {
  const memory = new MemoryExporter({ maxEvents: 500 });
  const eventsFile = resolve(env.INTENTPROOF_EVENTS_FILE || defaultEventsFile);
  const file = new JsonLinesFileExporter(eventsFile);
  const evidence = new EvidenceExporter({
    directory: resolve(env.INTENTPROOF_EVIDENCE_DIR || join(dirname(eventsFile), "evidence")),
    tenantId: env.INTENTPROOF_TENANT_ID || "sample-app",
  });
  const all: Exporter[] = [memory, file, evidence];

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
  return { memory, file, evidence, collectorOrigin, all };
}
