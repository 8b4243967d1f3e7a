/** Temporary evidence directories and a client wired to an EvidenceExporter, for tests. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach } from "vitest";
import { createIntentProofClient } from "../../../src/core/default-client.js";
import { EvidenceExporter } from "../../../src/evidence/evidence-exporter.js";
import type { EvidenceExporterOptions } from "../../../src/evidence/options.js";
import type { EvidenceError } from "../../../src/evidence/errors.js";
import { readEvidence, type LogEntry } from "../../../src/evidence/log-reader.js";
import type { EvidenceRecord } from "../../../src/evidence/record.js";
import { CheckedExporter } from "../../support/event-validator.js";
import { expectValidV1Records } from "./v1-schema.js";

const perTest: string[] = [];
const perFile: string[] = [];
afterEach(() => {
  for (const dir of perTest.splice(0)) rmSync(dir, { recursive: true, force: true });
});
afterAll(() => {
  for (const dir of perFile.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory, removed after the test (or after the file, for fixtures built in beforeAll). */
export function tempDir(scope: "test" | "file" = "test"): string {
  const dir = mkdtempSync(join(tmpdir(), "ip-evidence-"));
  (scope === "test" ? perTest : perFile).push(dir);
  return dir;
}

/** A client with a CheckedExporter and an EvidenceExporter collecting its errors. */
export function evidenceClient(options: Partial<EvidenceExporterOptions> & { directory: string }) {
  const errors: EvidenceError[] = [];
  const evidence = new EvidenceExporter({ tenantId: "tnt_test", onError: (e) => errors.push(e), ...options });
  const checked = new CheckedExporter();
  const client = createIntentProofClient({ exporters: [checked, evidence], onExporterError: (e) => errors.push(e as EvidenceError) });
  return { client, evidence, checked, errors };
}

/** Every entry of every stream at `target`, and the event records (each checked against the v1 schema). */
export async function readAll(target: string): Promise<{ entries: LogEntry[]; events: EvidenceRecord[] }> {
  const streams = await readEvidence(target);
  const entries = streams.flatMap((s) => s.entries);
  const events = entries.flatMap((e) => (e.kind === "event" ? [e.record] : []));
  if (events.length > 0) expectValidV1Records(events);
  return { entries, events };
}
