// bench/profile.mjs and bench/allocation.mjs print their per-function tables
// through one function, and docs/benchmarks.md quotes them: the summing by
// part of the process, the total row and the ranking are checked here.
import { describe, expect, it } from "vitest";

type PerRequest = Map<string, Map<string, number>>;
type Options = { format: (figure: number) => string; measure: string; top: number; totalLabel?: string };

// Plain JavaScript without declarations: imported by URL, typed here.
const { functionTables } = (await import(new URL("../../bench/lib/function-tables.mjs", import.meta.url).href)) as {
  functionTables: (variants: string[], perRequest: PerRequest, options: Options) => string[];
};

const perRequest: PerRequest = new Map([
  ["bare", new Map([["handle express/lib/application.js:152", 1.5], ["writev", 50]])],
  ["recorded", new Map([["handle express/lib/application.js:152", 1.75], ["writev", 53], ["buildEvent dist/chunks/core.js:10", 0.5]])],
]);
const cells = (line: string) => line.trim().split(/\s{2,}/);

describe("functionTables", () => {
  it("sums each variant's functions by part of the process, adds the total row, and ranks functions by their difference", () => {
    const lines = functionTables(["bare", "recorded"], perRequest, { format: (x) => x.toFixed(2), measure: "self time", top: 2, totalLabel: "sampled in all" });
    expect(lines.map(cells)).toEqual([
      ["part of the process", "bare", "recorded"],
      ["dependencies (Express, Nest, body-parser, …)", "1.50", "1.75"],
      ["IntentProof", "0.00", "0.50"],
      ["native calls (socket writes, crypto, clocks)", "50.00", "53.00"],
      ["sampled in all", "51.50", "55.25"],
      [""],
      ["the 2 functions whose self time differs most between bare and recorded"],
      ["function", "bare", "recorded"],
      ["writev", "50.00", "53.00"],
      ["buildEvent dist/chunks/core.js:10", "0.00", "0.50"],
    ]);
    // Every column is as wide as the widest of 12 characters and a name with a space.
    expect(lines[0]).toBe(`${"part of the process".padEnd(64)}${"bare".padStart(12)}${"recorded".padStart(12)}`);
  });

  it("leaves the total row out when no label is given", () => {
    const lines = functionTables(["bare", "recorded"], perRequest, { format: (x) => String(Math.round(x)), measure: "allocation", top: 1 });
    expect(lines.some((line) => line.startsWith("sampled in all"))).toBe(false);
    expect(lines.at(-3)).toBe("the 1 functions whose allocation differs most between bare and recorded");
    expect(cells(lines.at(-1)!)).toEqual(["writev", "50", "53"]);
  });
});
