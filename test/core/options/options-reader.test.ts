import { describe, expect, it } from "vitest";
import { MAX_TIMER_MS, OptionsReader } from "../../../src/core/options/options-reader.js";
import { suggestField } from "../../../src/core/options/suggest-field.js";

const OWNER = "IntentProofModule.forRoot";

describe("OptionsReader", () => {
  it("rejects an unknown field and suggests the nearest known one", () => {
    expect(() => new OptionsReader("intentproof: wrap options", { captureOuput: false }, ["captureOutput", "captureInput"]))
      .toThrow(new TypeError('intentproof: wrap options: unknown field "captureOuput" (did you mean "captureOutput"?)'));
    expect(() => new OptionsReader("HttpExporter", { headrs: {} }, ["headers", "url"]))
      .toThrow('HttpExporter: unknown field "headrs" (did you mean "headers"?)');
  });

  it("offers no suggestion when nothing is close", () => {
    expect(() => new OptionsReader(OWNER, { zzzzzz: 1 }, ["exporters"])).toThrow(`${OWNER}: unknown field "zzzzzz"`);
    expect(suggestField("zzzzzz", ["exporters"])).toBeUndefined();
  });

  it("names nested fields by their full path", () => {
    const reader = new OptionsReader(OWNER, { correlation: { headerNme: "x" } }, ["correlation"]);
    expect(() => reader.nested("correlation", ["headerName"])).toThrow(
      `${OWNER}: unknown field "correlation.headerNme" (did you mean "correlation.headerName"?)`,
    );
    const ok = new OptionsReader(OWNER, { correlation: { generateOnMissing: "yes" } }, ["correlation"]);
    expect(() => ok.nested("correlation", ["generateOnMissing"]).boolean("generateOnMissing")).toThrow(
      `${OWNER}: "correlation.generateOnMissing" must be a boolean, got "yes"`,
    );
  });

  it("rejects a non-object and treats undefined as all defaults", () => {
    expect(() => new OptionsReader(OWNER, 3, [])).toThrow(`${OWNER}: options must be an object, got 3`);
    expect(new OptionsReader(OWNER, undefined, ["a"]).positiveInteger("a", 5)).toBe(5);
  });

  it("checks timer delays against Node's 2^31-1 limit", () => {
    const reader = new OptionsReader("HttpExporter", { timeoutMs: MAX_TIMER_MS + 1, okMs: MAX_TIMER_MS, zero: 0 }, [
      "timeoutMs",
      "okMs",
      "zero",
    ]);
    expect(() => reader.timeoutMs("timeoutMs")).toThrow(/HttpExporter: "timeoutMs" must be a number of milliseconds/);
    expect(reader.timeoutMs("okMs")).toBe(MAX_TIMER_MS);
    expect(() => reader.timeoutMs("zero")).toThrow(TypeError);
    expect(reader.timeoutMs("zero", { allowZero: true })).toBe(0);
  });

  it("validates each element of an array with its index in the name", () => {
    const reader = new OptionsReader(OWNER, { exporters: [{ export() {} }, {}] }, ["exporters"]);
    expect(() =>
      reader.array("exporters", (value, name) => {
        if (typeof (value as { export?: unknown }).export !== "function") {
          throw new TypeError(`${OWNER}: "${name}" has no export() method`);
        }
        return value;
      }),
    ).toThrow(`${OWNER}: "exporters[1]" has no export() method`);
  });

  it("reads strings, enums, functions and string records", () => {
    const reader = new OptionsReader("x", { t: "  a ", mode: "b", fn: () => 1, headers: { a: "1", b: 2 } }, [
      "t",
      "mode",
      "fn",
      "headers",
    ]);
    expect(reader.text("t")).toBe("a");
    expect(() => reader.oneOf("mode", ["a", "c"])).toThrow('x: "mode" must be "a" or "c", got "b"');
    expect(typeof reader.function("fn")).toBe("function");
    expect(() => reader.stringRecord("headers")).toThrow('x: "headers.b" must be a string, got 2');
  });
});
