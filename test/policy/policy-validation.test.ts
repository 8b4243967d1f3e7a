import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { policyFingerprint } from "../../src/policy/fingerprint.js";
import { definePolicy, loadPolicyFile, parsePolicy } from "../../src/policy/load-policy.js";
import { PolicyError } from "../../src/policy/policy-error.js";
import { policyProblems } from "../../src/policy/policy-problems.js";

const cases = readFileSync(new URL("../../spec-v1/golden/policy_cases.jsonl", import.meta.url), "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as { shouldValidate: boolean; policy: Record<string, unknown> });

describe("golden policy cases", () => {
  it("has the 23 cases", () => expect(cases).toHaveLength(23));

  cases.forEach(({ shouldValidate, policy }, i) => {
    it(`case ${i + 1} (${String(policy.policy_id ?? "no id")}) ${shouldValidate ? "validates" : "is rejected"}`, () => {
      const problems = policyProblems(policy);
      if (shouldValidate) {
        expect(problems).toEqual([]);
        expect(policyFingerprint(policy)).toBe(policy.policy_fingerprint);
        expect(parsePolicy(policy).policy_id).toBe(policy.policy_id);
      } else {
        expect(problems.length).toBeGreaterThan(0);
        expect(() => parsePolicy(policy)).toThrow(PolicyError);
      }
    });
  });
});

function base(rules: unknown[]): Record<string, unknown> {
  return {
    schema: "intentproof.policy.v1", policy_id: "p", policy_version: 1, tenant_id: "t",
    provenance_class: "platform_attested", spec_version: "1.0.0", scope: {}, rules, policy_fingerprint: "x",
  };
}

describe("policy problems name the rule and the field", () => {
  it("a forbidden gate without after", () => {
    const problems = policyProblems(base([{ id: "r1", category: "required", spec: { action: "a" } }, { id: "no-resend", category: "forbidden", spec: { action: "a", where_predecessor: { status: "ok" } } }]));
    expect(problems.map((p) => p.message)).toEqual([
      'rules[1] (id "no-resend", forbidden): "spec.after" is required when "spec.where_predecessor" is given',
    ]);
    expect(problems[0]!.path).toBe("spec.after");
  });

  it("a bad duration, an unknown category, a bad severity", () => {
    const messages = policyProblems(base([
      { id: "sla", category: "temporal", spec: { from: { action: "a" }, to: { action: "b" }, max: "5m" } },
      { id: "x", category: "completion", spec: {} },
      { id: "y", category: "required", severity: "urgent", spec: { action: "a" } },
    ])).map((p) => p.message);
    expect(messages).toEqual([
      'rules[0] (id "sla", temporal): "spec.max" must be an ISO 8601 duration such as "PT15M", got "5m"',
      'rules[1] (id "x", completion): "category" must be one of required, forbidden, ordering, cardinality, temporal, consensus, value_bound, claim_match, got "completion"',
      'rules[2] (id "y", required): "severity" must be one of critical, high, medium, low, info, got "urgent"',
    ]);
  });

  it("unknown top-level fields and a wrong fingerprint", () => {
    expect(policyProblems({ ...base([]), extra: 1 }).map((p) => p.message)).toEqual(['"extra" is not a policy.v1 field']);
    expect(() => parsePolicy(base([]), "my-policy.json")).toThrow(/my-policy\.json: .*"policy_fingerprint" does not match the policy's content: declared x, computed sha256:[0-9a-f]{64}/s);
  });
});

describe("loading", () => {
  const draft = {
    policy_id: "acme.refund", policy_version: 1, tenant_id: "acme", spec_version: "1.0.0",
    scope: { any_event_action_in: ["refund"] },
    rules: [{ id: "r", category: "required", severity: "high" as const, spec: { action: "refund", min: 1 } }],
  };

  it("definePolicy fills schema, provenance and fingerprint", () => {
    const policy = definePolicy(draft);
    expect(policy.schema).toBe("intentproof.policy.v1");
    expect(policy.policy_fingerprint).toBe(policyFingerprint(policy));
  });

  it("definePolicy throws a PolicyError naming the rule", () => {
    expect(() => definePolicy({ ...draft, rules: [{ id: "r", category: "required", spec: {} }] })).toThrow(/rules\[0\] \(id "r", required\): "spec.action" is required/);
  });

  it("reads JSON and YAML files, and reports bad JSON", async () => {
    const dir = mkdtempSync(join(tmpdir(), "policy-"));
    const policy = definePolicy(draft);
    writeFileSync(join(dir, "p.json"), JSON.stringify(policy));
    writeFileSync(join(dir, "p.yml"), `policy_id: acme.refund\nschema: intentproof.policy.v1\npolicy_version: 1\ntenant_id: acme\nprovenance_class: platform_attested\nspec_version: "1.0.0"\nscope:\n  any_event_action_in: [refund]\nrules:\n  - id: r\n    category: required\n    severity: high\n    spec: { action: refund, min: 1 }\npolicy_fingerprint: ${policy.policy_fingerprint}\n`);
    writeFileSync(join(dir, "bad.json"), "{ nope");
    expect(await loadPolicyFile(join(dir, "p.json"))).toEqual(policy);
    expect(await loadPolicyFile(join(dir, "p.yml"))).toEqual(policy);
    await expect(loadPolicyFile(join(dir, "bad.json"))).rejects.toThrow(/bad\.json: .*not valid JSON/s);
  });
});
