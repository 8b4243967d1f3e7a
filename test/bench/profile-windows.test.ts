// bench/profile.mjs credits each CPU-profile sample to the variant being
// loaded at that moment. docs/benchmarks.md quotes its tables, so the
// crediting is checked here on a hand-built profile.
import { describe, expect, it } from "vitest";

type CallFrame = { functionName: string; url: string; lineNumber: number };
type Profile = { nodes: { id: number; callFrame: CallFrame }[]; samples: number[]; timeDeltas: number[]; startTime: number };
type Window = { variant: string; fromUs: number; toUs: number };

// Plain JavaScript without declarations: imported by URL, typed here.
const { selfTimeByWindow, functionKey, categoryOf } = (await import(
  new URL("../../bench/lib/profile-windows.mjs", import.meta.url).href
)) as {
  selfTimeByWindow: (profile: Profile, windows: Window[], repoUrl?: string) => Map<string, Map<string, number>>;
  functionKey: (frame: CallFrame, repoUrl?: string) => string;
  categoryOf: (key: string) => string;
};

const frame = (functionName: string, url = "", lineNumber = -1): CallFrame => ({ functionName, url, lineNumber });
const nodes = [
  { id: 1, callFrame: frame("(idle)") },
  { id: 2, callFrame: frame("startExecution", "file:///repo/dist/chunks/core.js", 9) },
  { id: 3, callFrame: frame("handle", "file:///repo/node_modules/express/lib/application.js", 151) },
  { id: 4, callFrame: frame("writev") },
];

describe("selfTimeByWindow", () => {
  it("credits each sample's interval to the window it ends in, and leaves out samples between windows", () => {
    // Samples end at 1010, 1020, …, 1080 (each 10 µs after the one before).
    const profile: Profile = { nodes, startTime: 1000, samples: [1, 2, 3, 4, 2, 3, 4, 1], timeDeltas: Array(8).fill(10) };
    const windows: Window[] = [
      { variant: "bare", fromUs: 1015, toUs: 1030 }, // 1020 (id 2), 1030 (id 3)
      { variant: "recorded", fromUs: 1045, toUs: 1070 }, // 1050 (id 2), 1060 (id 3), 1070 (id 4); 1040 is between windows
      { variant: "bare", fromUs: 1075, toUs: 1200 }, // 1080 (id 1)
    ];
    const self = selfTimeByWindow(profile, windows, "file:///repo/");
    expect([...self.keys()]).toEqual(["bare", "recorded"]);
    expect(Object.fromEntries(self.get("bare")!)).toEqual({
      "startExecution dist/chunks/core.js:10": 10,
      "handle express/lib/application.js:152": 10,
      "(idle)": 10,
    });
    expect(Object.fromEntries(self.get("recorded")!)).toEqual({
      "startExecution dist/chunks/core.js:10": 10,
      "handle express/lib/application.js:152": 10,
      writev: 10,
    });
  });

  it("uses each sample's own interval, so unequal sampling gaps are weighted", () => {
    const profile: Profile = { nodes, startTime: 0, samples: [2, 2, 4], timeDeltas: [100, 250, 40] };
    const self = selfTimeByWindow(profile, [{ variant: "a", fromUs: 0, toUs: 1000 }]);
    expect(self.get("a")!.get("startExecution file:///repo/dist/chunks/core.js:10")).toBe(350);
    expect(self.get("a")!.get("writev")).toBe(40);
  });

  it("stops at the last window", () => {
    const profile: Profile = { nodes, startTime: 0, samples: [2, 3], timeDeltas: [10, 10] };
    const self = selfTimeByWindow(profile, [{ variant: "a", fromUs: 0, toUs: 15 }]);
    expect(Object.fromEntries(self.get("a")!)).toEqual({ "startExecution file:///repo/dist/chunks/core.js:10": 10 });
  });
});

describe("functionKey and categoryOf", () => {
  it("names a function by name, file and 1-based line, shortening node_modules and the repository", () => {
    expect(functionKey(frame("", "file:///app/node_modules/router/index.js", 188))).toBe("(anonymous) router/index.js:189");
    expect(functionKey(frame("buildEvent", "file:///repo/dist/chunks/core.js", 2073), "file:///repo/")).toBe("buildEvent dist/chunks/core.js:2074");
    expect(functionKey(frame("writev"))).toBe("writev");
  });

  it("sorts the package's own code apart from dependencies that also ship a dist folder", () => {
    expect(categoryOf("buildEvent dist/chunks/core.js:2074")).toBe("IntentProof");
    expect(categoryOf("parse content-type/dist/index.js:54")).toMatch(/^dependencies/);
    expect(categoryOf("emit node:events:489")).toBe("Node's JavaScript");
    expect(categoryOf("spin bench/apps/express-app.mjs:40")).toBe("the bench app");
    expect(categoryOf("writev")).toMatch(/^native calls/);
    expect(categoryOf("(garbage collector)")).toBe("garbage collector");
    expect(categoryOf("(idle)")).toMatch(/^idle/);
    expect(categoryOf("(program)")).toMatch(/^V8/);
  });
});
