import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { vectors } from "../../spec-v1/conformance/jcs_vectors.js";
import { canonicalize, canonicalizeOwned } from "../../src/evidence/jcs.js";

const corpus = new URL("../../spec-v1/golden/fuzz-corpora/canon/", import.meta.url);

describe("canonicalize (RFC 8785)", () => {
  it("reproduces every spec-v1 conformance vector", () => {
    expect(vectors.length).toBeGreaterThan(5);
    for (const { input, expected } of vectors) expect(canonicalize(input)).toBe(expected);
  });

  it("canonicalizes the spec's fuzz corpus to stable, re-parseable text", () => {
    const files = readdirSync(corpus);
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const value: unknown = JSON.parse(readFileSync(new URL(file, corpus), "utf8"));
      const text = canonicalize(value);
      expect(canonicalize(JSON.parse(text))).toBe(text);
      expect(JSON.parse(text)).toEqual(value);
    }
  });

  it("orders keys by UTF-16 code units (the corpus' utf16-key-ordering case)", () => {
    const value: unknown = JSON.parse(readFileSync(new URL("utf16-key-ordering.json", corpus), "utf8"));
    // U+1F600 is the surrogate pair D83D DE00, which sorts before U+E000.
    expect(canonicalize(value)).toBe('{"\u{1F600}":2,"\uE000":1}');
  });

  it("writes numbers as ECMAScript does (RFC 8785 §3.2.2.3 examples)", () => {
    const cases: [number, string][] = [
      [0, "0"], [-0, "0"], [1.0, "1"], [1.2, "1.2"], [1e21, "1e+21"], [1e22, "1e+22"], [1e-7, "1e-7"],
      [0.000001, "0.000001"], [9007199254740992, "9007199254740992"], [333333333.3333333, "333333333.3333333"],
      [1.7976931348623157e308, "1.7976931348623157e+308"], [5e-324, "5e-324"], [-1.5e-9, "-1.5e-9"],
    ];
    for (const [value, text] of cases) expect(canonicalize(value)).toBe(text);
    expect(() => canonicalize(Number.NaN)).toThrow(TypeError);
    expect(() => canonicalize(Infinity)).toThrow(TypeError);
  });

  it("escapes strings minimally and keeps non-ASCII literal", () => {
    expect(canonicalize("\u0001\b\t\n\f\r\"\\/é€")).toBe('"\\u0001\\b\\t\\n\\f\\r\\"\\\\/é€"');
    expect(canonicalize("\u2028\u007f")).toBe('"\u2028\u007f"');
  });

  it("writes a lone surrogate as U+FFFD, as other languages' verifiers decode it", () => {
    expect(canonicalize("a\uD800b")).toBe('"a\uFFFDb"');
    expect(canonicalize({ "\uDC00": "\uD83D\uDE00" })).toBe('{"\uFFFD":"\u{1F600}"}');
  });

  it("leaves out undefined members and rejects non-JSON values", () => {
    expect(canonicalize({ b: undefined, a: [1, undefined] })).toBe('{"a":[1,null]}');
    expect(() => canonicalize(10n)).toThrow(TypeError);
    expect(() => canonicalize({ f: () => 1 })).toThrow(TypeError);
  });

  it("orders members right whichever way it writes them (in order, copied, or member by member)", () => {
    // Array-index names: V8 enumerates them first and numerically, JCS orders by code units.
    expect(canonicalize({ 2: "b", 10: "a", x: 1 })).toBe('{"10":"a","2":"b","x":1}');
    expect(canonicalize({ 0: 1, "-": 2 })).toBe('{"-":2,"0":1}');
    expect(canonicalize({ a: 1, b: { d: 1, c: [{ f: 1, e: 2 }] } })).toBe('{"a":1,"b":{"c":[{"e":2,"f":1}],"d":1}}');
    const own = JSON.parse('{"__proto__":{"y":1,"x":2},"a":"\uD800"}') as object;
    expect(canonicalize(own)).toBe('{"__proto__":{"x":2,"y":1},"a":"\uFFFD"}');
    const bare = Object.assign(Object.create(null) as object, { b: 1, a: 2 });
    expect(canonicalize(bare)).toBe('{"a":2,"b":1}');
    // Not plain JSON objects: written from their own enumerable members, never through toJSON.
    expect(canonicalize({ when: new Date(0) })).toBe('{"when":{}}');
    expect(() => canonicalize({ b: 1, toJSON: () => "x" })).toThrow(TypeError);
  });

  it("canonicalizes an owned record in place when its members are in order, copying only what is not", () => {
    const inputs = { 0: { b: 1, a: "\uD800" } };
    const record: Record<string, unknown> = { action: "x", inputs, status: "ok" };
    const expected = canonicalize(record);
    expect(canonicalizeOwned(record)).toBe(expected);
    expect(record.inputs).not.toBe(inputs);
    expect(JSON.stringify(record)).toBe(expected);
    const unordered = { b: 1, a: { d: 1, c: 2 } };
    expect(canonicalizeOwned(unordered)).toBe('{"a":{"c":2,"d":1},"b":1}');
    expect(canonicalizeOwned({ a: { 10: 1, 9: 2 } })).toBe('{"a":{"10":1,"9":2}}');
  });

  it("matches a reference JCS on random JSON (property test)", () => {
    const reference = (v: unknown): string => {
      if (v === null || typeof v !== "object") return JSON.stringify(v);
      if (Array.isArray(v)) return `[${v.map(reference).join(",")}]`;
      const keys = Object.keys(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${keys.map((k) => `${JSON.stringify(k)}:${reference((v as Record<string, unknown>)[k])}`).join(",")}}`;
    };
    const wellFormed = fc.string({ unit: "grapheme" });
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        fc.constant(null), fc.boolean(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), wellFormed,
        fc.array(tie("value"), { maxLength: 5 }),
        fc.dictionary(wellFormed, tie("value"), { maxKeys: 5 }),
      ),
    })).value;
    fc.assert(
      fc.property(json, (value) => {
        const text = canonicalize(value);
        expect(text).toBe(reference(JSON.parse(JSON.stringify(value))));
        expect(canonicalize(JSON.parse(text))).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});
