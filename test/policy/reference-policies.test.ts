/**
 * Every reference policy of spec-v1 parses (JSON and YAML), validates and
 * reproduces its declared fingerprint; for each fixture, a flow recorded by
 * the SDK with the fixture's steps reproduces the statuses, reasons and
 * evidence of its expected-run.json.
 */
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildFlowFromEvents } from "../../src/policy/flow-builder.js";
import { evaluatePolicy } from "../../src/policy/evaluate.js";
import { policyFingerprint } from "../../src/policy/fingerprint.js";
import { parsePolicy, parsePolicyText } from "../../src/policy/load-policy.js";
import type { Policy, Run } from "../../src/policy/types.js";
import { recordSteps, type Step } from "./support/record-steps.js";

const ROOT = new URL("../../spec-v1/reference-policies/", import.meta.url).pathname;

function packs(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    if (existsSync(join(dir, "pack.json"))) found.push(dir);
    else for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) walk(join(dir, entry.name));
  };
  walk(ROOT);
  return found.sort();
}

const readJson = (path: string): any => JSON.parse(readFileSync(path, "utf8"));

// The fixture event ids name their action (`evt_refund_execute_ok` is
// payments.refund.execute): the one scope action whose words end the id.
function actionOf(policy: Policy, eventId: string): string {
  const stem = eventId.replace(/^evt_/, "").replace(/_ok$/, "");
  const candidates = policy.scope.any_event_action_in!.filter((action) => action.replace(/\./g, "_").endsWith(stem));
  expect(candidates, `action of ${eventId}`).toHaveLength(1);
  return candidates[0]!;
}

// The customer-sla fixtures differ only in time: notification 2 minutes vs 20
// minutes after the case opened (its policy allows 15).
function timingOf(fixture: string, index: number): Partial<Step> {
  if (fixture === "late-notification" && index === 1) return { at: 20 * 60_000 };
  if (fixture === "within-sla" && index === 1) return { at: 2 * 60_000 };
  return {};
}

const PACKS = packs();

describe("reference policies", () => {
  it("finds all 13 packs", () => {
    expect(PACKS).toHaveLength(13);
  });

  for (const pack of PACKS) {
    const name = pack.slice(ROOT.length);
    describe(name, () => {
      const policyJson = readJson(join(pack, "policy.json"));

      it("parses, validates and reproduces its fingerprint (JSON and YAML)", async () => {
        const policy = parsePolicy(policyJson, name);
        expect(policyFingerprint(policy)).toBe(policyJson.policy_fingerprint);
        const fromYaml = await parsePolicyText(readFileSync(join(pack, "policy.yaml"), "utf8"), join(pack, "policy.yaml"));
        expect(fromYaml).toEqual(policyJson);
      });

      const fixtures = readJson(join(pack, "pack.json")).fixtures as Array<{ id: string }>;
      for (const { id } of fixtures) {
        it(`fixture ${id}: an SDK-recorded flow reproduces expected-run.json`, () => {
          const policy = parsePolicy(policyJson, name);
          const dir = join(pack, "fixtures", id);
          const fixtureFlow = readJson(join(dir, "flow.json"));
          const expected = readJson(join(dir, "expected-run.json")) as Run;
          expect(readFileSync(join(dir, "attestations.jsonl"), "utf8").trim()).toBe("");

          const fixtureIds: string[] = fixtureFlow.events.map((e: { event_id: string }) => e.event_id);
          const steps = fixtureIds.map((eventId, i) => ({ action: actionOf(policy, eventId), ...timingOf(id, i) }));
          const events = recordSteps(fixtureFlow.correlation_id, steps);
          expect(events).toHaveLength(fixtureIds.length);
          const toFixtureId = new Map(events.map((e, i) => [e.id, fixtureIds[i]!]));

          const built = fixtureIds.length === 0
            ? { flow: { ...fixtureFlow }, events: [] }
            : buildFlowFromEvents(events, { tenantId: fixtureFlow.tenant_id, closureReason: "idle_timeout" });
          const run = evaluatePolicy(policy, built);

          expect(run.status).toBe(expected.status);
          expect(run.summary).toEqual(expected.summary);
          expect(run.attestation_set).toEqual(expected.attestation_set);
          expect(run.policy_fingerprint).toBe(expected.policy_fingerprint);
          expect(
            run.findings.map((f) => ({ ...f, evidence_event_ids: f.evidence_event_ids.map((e) => toFixtureId.get(e)), human_summary: undefined })),
          ).toEqual(expected.findings.map((f) => ({ ...f, human_summary: undefined })));
        });
      }
    });
  }
});
