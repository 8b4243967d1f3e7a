import { readdirSync, readFileSync } from "node:fs";
import * as Ajv2020Module from "ajv/dist/2020.js";
import * as addFormatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";
import { isDateTime, isUri } from "../../src/schema/formats.js";
import { specV1Validator, type SpecV1SchemaName } from "../../src/schema/spec-v1.js";
import { describeViolations, SchemaSet } from "../../src/schema/validator.js";

const golden = new URL("../../spec-v1/golden/", import.meta.url);
const schemaDir = new URL("../../spec-v1/schema/", import.meta.url);

function unwrapDefault<T>(mod: unknown): T {
  let current: unknown = mod;
  for (let i = 0; i < 3 && typeof current !== "function"; i++) current = (current as { default?: unknown }).default ?? current;
  return current as T;
}
type Ajv = { addSchema(s: object): void; getSchema(id: string): ((v: unknown) => boolean) | undefined };
const ajv = new (unwrapDefault<new (o: object) => Ajv>(Ajv2020Module))({ strict: false, allErrors: true });
unwrapDefault<(a: Ajv) => void>(addFormatsModule)(ajv);
const ids = new Map<string, string>();
for (const file of readdirSync(schemaDir)) {
  const schema = JSON.parse(readFileSync(new URL(file, schemaDir), "utf8")) as { $id: string };
  ajv.addSchema(schema);
  ids.set(file.replace(".v1.schema.json", ""), schema.$id);
}

const caseFiles = readdirSync(golden).filter((f) => f.endsWith("_cases.jsonl"));

describe("spec-v1 schema validator", () => {
  it("covers every golden case file", () => {
    expect(caseFiles.length).toBe(11);
  });

  for (const file of caseFiles) {
    const name = file.replace("_cases.jsonl", "") as SpecV1SchemaName;
    it(`agrees with shouldValidate on every case of ${file}, and with ajv`, () => {
      const validate = specV1Validator(name);
      const ajvValidate = ajv.getSchema(ids.get(name)!)!;
      const lines = readFileSync(new URL(file, golden), "utf8").split("\n").filter((l) => l.trim() !== "");
      expect(lines.length).toBeGreaterThan(1);
      for (const line of lines) {
        const testCase = JSON.parse(line) as Record<string, unknown>;
        const key = Object.keys(testCase).find((k) => k !== "shouldValidate" && k !== "source_bundle")!;
        const violations = validate(testCase[key]);
        const ok = violations.length === 0;
        expect({ line: line.slice(0, 120), ok, violations: describeViolations(violations) }).toMatchObject({ ok: testCase.shouldValidate });
        expect(ajvValidate(testCase[key])).toBe(ok);
      }
    });
  }

  it("names the failing field and rule", () => {
    const validate = specV1Validator("execution_event");
    const lines = readFileSync(new URL("execution_event_cases.jsonl", golden), "utf8").split("\n");
    const valid = (JSON.parse(lines[0]!) as { event: Record<string, unknown> }).event;
    const bad = { ...valid, output: [1, 2], chain_position: 0, extra: true, attributes: { "intentproof.delegation.x": "y" } };
    const text = describeViolations(validate(bad)).join("\n");
    expect(text).toContain("/output must be of type object, string, number, boolean, null, got array");
    expect(text).toContain("/chain_position must be >= 1");
    expect(text).toContain('(root) must not have property "extra"');
    expect(text).toContain('/attributes has a property name "intentproof.delegation.x" that is not allowed');
    expect(describeViolations(validate({ ...valid, started_at: "2026-02-30T00:00:00Z" }))).toEqual([
      "/started_at must be a valid date-time",
    ]);
  });

  it("rejects a schema keyword outside the subset when compiling", () => {
    const set = new SchemaSet().add({ $id: "urn:t", type: "object", dependentRequired: { a: ["b"] } });
    expect(() => set.validator("urn:t")).toThrow(/keyword "dependentRequired" is outside the supported subset/);
    const set2 = new SchemaSet().add({ $id: "urn:u", $ref: "#/$defs/missing" });
    expect(() => set2.validator("urn:u")).toThrow(/points at nothing/);
  });

  it("handles oneOf, if/then/else, recursion, uniqueItems and code-point lengths", () => {
    const set = new SchemaSet().add({
      $id: "https://example.test/tree.json",
      $defs: { node: { type: "object", properties: { kids: { type: "array", items: { $ref: "#/$defs/node" }, uniqueItems: true } } } },
      type: "object",
      properties: {
        tree: { $ref: "#/$defs/node" },
        n: { oneOf: [{ type: "integer" }, { type: "number", minimum: 0 }] },
        s: { type: "string", minLength: 2, maxLength: 2 },
        k: { if: { const: "a" }, then: { type: "string" }, else: { type: "number" } },
      },
    });
    const validate = set.validator("https://example.test/tree.json");
    expect(validate({ tree: { kids: [{ kids: [] }, { kids: [{}] }] }, n: 1.5, s: "😀é", k: "a" })).toEqual([]);
    expect(validate({ n: 3 }).map((v) => v.keyword)).toEqual(["oneOf"]);
    expect(validate({ tree: { kids: [{}, {}] } }).map((v) => v.keyword)).toEqual(["uniqueItems"]);
    expect(validate({ tree: { kids: [{ kids: "x" }] } })[0]?.instancePath).toBe("/tree/kids/0/kids");
    expect(validate({ s: "😀" }).map((v) => v.keyword)).toEqual(["minLength"]);
    expect(validate({ k: "b" }).map((v) => v.keyword)).toEqual(["type"]);
  });

  it("checks RFC 3339 date-times and absolute URIs", () => {
    for (const ok of ["2026-05-11T14:32:17.421Z", "2024-02-29T23:59:60+05:30", "2026-05-11t00:00:00z"]) expect(isDateTime(ok)).toBe(true);
    for (const bad of ["2026-05-11", "2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-05-11T24:00:00Z", "2026-05-11T00:00:00"]) {
      expect(isDateTime(bad)).toBe(false);
    }
    expect(isUri("https://intentproof.dev/a?b=c#d")).toBe(true);
    expect(isUri("/relative/path")).toBe(false);
    expect(isUri("https://bad host")).toBe(false);
  });
});
