/** Every reason code the evaluator can write is one of spec-v1/semantics/reasons.json, of the rule's category. */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const reasons = JSON.parse(readFileSync(new URL("../../spec-v1/semantics/reasons.json", import.meta.url), "utf8")) as {
  reasons: Array<{ code: string; category: string }>;
};
const catalog = new Map(reasons.reasons.map((r) => [r.code, r.category]));
const RULES = new URL("../../src/policy/rules/", import.meta.url);

describe("reason codes", () => {
  const sources = readdirSync(RULES).filter((f) => f.endsWith(".ts")).map((f) => [f, readFileSync(new URL(f, RULES), "utf8")] as const);
  const evaluate = readFileSync(new URL("../../src/policy/evaluate.ts", import.meta.url), "utf8");
  const used = [...sources, ["evaluate.ts", evaluate] as const].flatMap(([file, text]) =>
    [...text.matchAll(/"((?:pass|fail|inconclusive)\.[a-z_]+\.[a-z_]+)"/g)].map((m) => [file, m[1]!] as const),
  );

  it("finds the codes of all eight categories", () => {
    expect(new Set(used.map(([, code]) => code.split(".")[1]))).toEqual(
      new Set(["required", "forbidden", "ordering", "cardinality", "temporal", "consensus", "value_bound", "claim_match", "unknown"]),
    );
  });

  it("uses only catalogued codes, each from its own rule file", () => {
    for (const [file, code] of used) {
      expect(catalog.has(code), `${code} in ${file}`).toBe(true);
      const category = catalog.get(code)!;
      if (file !== "evaluate.ts") expect(file.replace(/-/g, "_"), code).toBe(`${category}.ts`);
    }
  });
});
