/**
 * The sample app's bundle download does not bundle a flow whose last records
 * no signed checkpoint covers yet, as `intentproof bundle` refuses it without
 * --allow-unattested: it waits for the writer's checkpoint, then answers 503
 * with a retry hint. Real evidence directories.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createIntentProofClient, EvidenceExporter, parsePolicy } from "intentproof";
import { afterEach, describe, expect, it } from "vitest";
import { flowBundle } from "../../sample-app/shared/flow-runs.js";
import { readEvidence } from "../../src/evidence/log-reader.js";
import { CheckedExporter } from "../support/event-validator.js";
import { expectValidV1Records } from "../evidence/support/v1-schema.js";
import { REPO_ROOT } from "./support/sample-app-process.js";

const POLICY_FILE = join(REPO_ROOT, "sample-app", "policies", "refund-with-notification.v1.json");
const loadRefundPolicy = () => parsePolicy(JSON.parse(readFileSync(POLICY_FILE, "utf8")), POLICY_FILE);

const writers: EvidenceExporter[] = [];
afterEach(async () => {
  await Promise.all(writers.splice(0).map((writer) => writer.shutdown()));
});

async function refundFlow(checkpointEvery: number, checkpointIntervalMs = 600_000): Promise<EvidenceExporter> {
  const directory = mkdtempSync(join(tmpdir(), "intentproof-flow-bundle-"));
  const evidence = new EvidenceExporter({
    directory,
    tenantId: "sample-app",
    checkpointEvery,
    checkpointIntervalMs,
  });
  writers.push(evidence);
  // The event checked against the spec's schema and rules, the signed record against the v1 schema.
  const client = createIntentProofClient({ exporters: [new CheckedExporter(), evidence] });
  const refund = client.wrap({ intent: "Initiate refund", action: "payments.refund" }, (orderId: string) => ({ orderId }));
  await client.withCorrelation("flow-1", () => refund("ord_1"));
  await evidence.flush();
  const records = (await readEvidence(directory)).flatMap((stream) => stream.entries.flatMap((entry) => (entry.kind === "event" ? [entry.record] : [])));
  expect(records).toHaveLength(1);
  expectValidV1Records(records);
  return evidence;
}

describe("sample app: a flow's proof bundle", () => {
  it("is refused with 503 and a retry hint when no checkpoint covers the flow's records within the wait", async () => {
    const evidence = await refundFlow(1000);
    expect(await flowBundle(evidence, loadRefundPolicy(), "flow-1", 300)).toEqual({
      ok: false,
      status: 503,
      retryAfterSeconds: 1,
      message: "1 record(s) of flow-1 are not covered by a signed checkpoint yet: try again in a moment",
    });
  });

  it("is made once a checkpoint covers them", async () => {
    const evidence = await refundFlow(1);
    const made = await flowBundle(evidence, loadRefundPolicy(), "flow-1", 0);
    expect(made).toMatchObject({ ok: true, fileName: expect.stringMatching(/\.proof\.tar(\.zst)?$/) });
  });

  it("waits for the writer's interval checkpoint instead of refusing a flow that has just ended", async () => {
    const evidence = await refundFlow(1000, 1000);
    expect(evidence.stats().checkpoints).toBe(0);
    const made = await flowBundle(evidence, loadRefundPolicy(), "flow-1");
    expect(made).toMatchObject({ ok: true });
    expect(evidence.stats().checkpoints).toBe(1);
  });
});
