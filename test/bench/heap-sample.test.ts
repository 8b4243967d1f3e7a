// bench/allocation.mjs sums a sampling heap profile's bytes per function, and
// docs/benchmarks.md quotes its tables: the summing is checked on a hand-built
// profile.
import { describe, expect, it } from "vitest";

type CallFrame = { functionName: string; url: string; lineNumber: number };
type HeapNode = { callFrame: CallFrame; selfSize: number; children: HeapNode[] };

// Plain JavaScript without declarations: imported by URL, typed here.
const { bytesByFunction } = (await import(new URL("../../bench/lib/heap-sample.mjs", import.meta.url).href)) as {
  bytesByFunction: (profile: { head: HeapNode }, repoUrl?: string) => Map<string, number>;
};

const node = (functionName: string, url: string, lineNumber: number, selfSize: number, children: HeapNode[] = []): HeapNode => ({
  callFrame: { functionName, url, lineNumber },
  selfSize,
  children,
});

describe("bytesByFunction", () => {
  it("adds up each function's bytes over every place it appears in the tree, keyed like the CPU profiles", () => {
    const buildEvent = (bytes: number) => node("buildEvent", "file:///repo/dist/chunks/core.js", 9, bytes);
    const profile = {
      head: node("(root)", "", -1, 0, [
        node("handle", "file:///repo/node_modules/express/lib/application.js", 151, 300, [buildEvent(100)]),
        node("(anonymous)", "file:///repo/bench/apps/express-app.mjs", 40, 0, [buildEvent(60), node("Map", "", -1, 184)]),
      ]),
    };
    expect(Object.fromEntries(bytesByFunction(profile, "file:///repo/"))).toEqual({
      "handle express/lib/application.js:152": 300,
      "buildEvent dist/chunks/core.js:10": 160,
      Map: 184,
    });
  });

  it("leaves out the functions that allocated nothing", () => {
    const profile = { head: node("(root)", "", -1, 0, [node("idle", "file:///repo/dist/index.js", 0, 0)]) };
    expect(bytesByFunction(profile, "file:///repo/").size).toBe(0);
  });
});
