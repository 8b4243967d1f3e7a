/**
 * The golden cases of the completeness objects validate (or not) as their
 * `shouldValidate` says, through the package's spec-v1 schema validator; and
 * what the policy layer produces (flows, runs, findings) is schema-valid.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { specV1Validator, type SpecV1SchemaName } from "../../src/schema/spec-v1.js";
import { describeViolations } from "../../src/schema/validator.js";
import { buildFlowFromEvents } from "../../src/policy/flow-builder.js";
import { evaluatePolicy } from "../../src/policy/evaluate.js";
import { definePolicy } from "../../src/policy/load-policy.js";
import { recordSteps } from "./support/record-steps.js";
import { attestation } from "./support/evaluate-rules.js";

const GOLDEN: Array<[file: string, schema: SpecV1SchemaName, key: string]> = [
  ["policy_cases.jsonl", "policy", "policy"],
  ["flow_cases.jsonl", "flow", "flow"],
  ["run_cases.jsonl", "run", "run"],
  ["finding_cases.jsonl", "finding", "finding"],
  ["attestation_cases.jsonl", "attestation", "attestation"],
  ["bundle-manifest_cases.jsonl", "bundle-manifest", "manifest"],
];

for (const [file, schema, key] of GOLDEN) {
  describe(file, () => {
    const cases = readFileSync(new URL(`../../spec-v1/golden/${file}`, import.meta.url), "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as Record<string, unknown> & { shouldValidate: boolean });
    cases.forEach((c, i) => {
      it(`case ${i + 1} ${c.shouldValidate ? "validates" : "is rejected"}`, () => {
        const violations = specV1Validator(schema)(c[key]);
        if (c.shouldValidate) expect(describeViolations(violations)).toEqual([]);
        else expect(violations.length).toBeGreaterThan(0);
      });
    });
  });
}

describe("what the policy layer produces is schema-valid", () => {
  it("a flow built from SDK events and the run of a policy with every category", () => {
    const events = recordSteps("corr", [{ action: "refund" }, { action: "notify", status: "error" }, { action: "notify" }]);
    const built = buildFlowFromEvents(events, { tenantId: "t" });
    expect(describeViolations(specV1Validator("flow")(built.flow))).toEqual([]);
    const policy = definePolicy({
      policy_id: "p", policy_version: 1, tenant_id: "t", spec_version: "1.0.0", scope: { any_event_action_in: ["refund"] },
      rules: [
        { id: "a", category: "required", severity: "high", spec: { action: "refund" } },
        { id: "b", category: "forbidden", spec: { action: "refund", after: "refund" } },
        { id: "c", category: "ordering", spec: { before: "refund", after: "notify" } },
        { id: "d", category: "cardinality", spec: { action: "notify", exactly: 1 } },
        { id: "e", category: "temporal", spec: { from: { action: "refund" }, to: { action: "notify" }, max: "PT1M" } },
        { id: "f", category: "consensus", spec: { claim: "refund.succeeded", sources: [{ kind: "intentproof_action", action: "refund" }, { kind: "external", source_id: "stripe" }], threshold: { unanimous: true } } },
        { id: "g", category: "value_bound", spec: { claim: "refund.amount", operator: "lte", value: 500 } },
        { id: "h", category: "claim_match", spec: { claim: "refund.status", expected_value: "succeeded" } },
      ],
    });
    const run = evaluatePolicy(policy, { ...built, attestations: [attestation("att_1", "refund.amount", 20)] });
    expect(run.findings).toHaveLength(8);
    expect(describeViolations(specV1Validator("run")(run))).toEqual([]);
    for (const finding of run.findings) expect(describeViolations(specV1Validator("finding")(finding))).toEqual([]);
  });
});
