import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/core/canonical-json.js";
import type { JsonValue } from "../../src/core/types.js";

interface CanonicalizationCase {
  caseId: string;
  input: JsonValue;
  canonical: string;
}

const goldenFile = new URL("../../spec/golden/canonicalization_cases.jsonl", import.meta.url);
const cases: CanonicalizationCase[] = readFileSync(goldenFile, "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as CanonicalizationCase);

describe("canonicalJson: spec golden cases", () => {
  it("reads every case of the golden file", () => {
    expect(cases.length).toBeGreaterThanOrEqual(7);
    for (const c of cases) {
      expect(typeof c.caseId).toBe("string");
      expect(typeof c.canonical).toBe("string");
    }
  });

  for (const c of cases) {
    it(`${c.caseId}: exact bytes`, () => {
      expect(canonicalJson(c.input)).toBe(c.canonical);
    });
  }
});

describe("canonicalJson", () => {
  it("orders keys by UTF-16 code units, not by locale or integer-key rules", () => {
    // Locale order would put "a" before "B"; JS objects list "2" before "10".
    const value = { b: 1, B: 2, a: 3, "10": 4, "2": 5, "é": 6, "\u{1F600}": 7, "\uFF5E": 8 };
    expect(canonicalJson(value)).toBe('{"10":4,"2":5,"B":2,"a":3,"b":1,"é":6,"\u{1F600}":7,"\uFF5E":8}\n');
  });

  it("sorts at every depth, including objects inside arrays", () => {
    expect(canonicalJson({ z: [{ y: 1, x: [{ b: 0, a: 0 }] }], a: null })).toBe(
      '{"a":null,"z":[{"x":[{"a":0,"b":0}],"y":1}]}\n',
    );
  });

  it("writes scalars and escapes like JSON, with one trailing newline", () => {
    expect(canonicalJson("a\"b\\c\n\u0001")).toBe('"a\\"b\\\\c\\n\\u0001"\n');
    expect(canonicalJson(1.5e300)).toBe("1.5e+300\n");
    expect(canonicalJson(-0)).toBe("0\n");
    expect(canonicalJson(false)).toBe("false\n");
    expect(canonicalJson([])).toBe("[]\n");
    expect(canonicalJson({ "": [] })).toBe('{"":[]}\n');
  });

  it("keeps an own __proto__ key", () => {
    const value = JSON.parse('{"b":1,"__proto__":{"x":1}}') as JsonValue;
    expect(canonicalJson(value)).toBe('{"__proto__":{"x":1},"b":1}\n');
  });

  it("gives the same bytes for values that differ only in key order", () => {
    expect(canonicalJson({ a: { c: 1, d: 2 }, b: [1] })).toBe(canonicalJson({ b: [1], a: { d: 2, c: 1 } }));
  });
});
