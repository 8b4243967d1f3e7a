// The bench scripts' flags: a bad value is refused with a message naming the
// flag, before any server starts, and a missing one falls back.
import { describe, expect, it } from "vitest";

// Plain JavaScript without declarations: imported by URL, typed here.
const { countFlag, variantsFlag } = (await import(new URL("../../bench/lib/flags.mjs", import.meta.url).href)) as {
  countFlag: (flags: Record<string, string | undefined>, name: string, fallback: number) => number;
  variantsFlag: (flags: Record<string, string | undefined>, fallback?: string[]) => string[] | undefined;
};

describe("bench flags", () => {
  it("reads a whole number ≥ 1, or falls back when the flag is absent", () => {
    expect(countFlag({ rounds: "12" }, "rounds", 6)).toBe(12);
    expect(countFlag({}, "rounds", 6)).toBe(6);
    for (const bad of ["0", "-3", "2.5", "many", ""]) {
      expect(() => countFlag({ rounds: bad }, "rounds", 6)).toThrow(`--rounds: expected a whole number ≥ 1, got "${bad}"`);
    }
  });

  it("reads a list of two or more distinct variants, trimmed, or falls back", () => {
    expect(variantsFlag({ variants: "bare, middleware,recorded" })).toEqual(["bare", "middleware", "recorded"]);
    expect(variantsFlag({}, ["bare", "recorded"])).toEqual(["bare", "recorded"]);
    for (const bad of ["bare", "bare,,recorded", "bare,recorded,bare", ""]) {
      expect(() => variantsFlag({ variants: bad })).toThrow(`--variants: expected two or more distinct names separated by commas, got "${bad}"`);
    }
  });
});
