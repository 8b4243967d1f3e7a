import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The architecture as the folders of src/ show it: frameworks depend on the
 * core, never the reverse; the evidence and policy layers depend on the core,
 * never on a framework; the CLI sits on top. Exporters and the schema
 * validator belong to the core's layer (the core's default exporter is one).
 */
const src = fileURLToPath(new URL("../../src/", import.meta.url));
const CORE = ["core", "exporters", "schema"];
const MAY_IMPORT: Record<string, string[]> = {
  core: CORE,
  exporters: CORE,
  schema: CORE,
  evidence: [...CORE, "evidence"],
  policy: [...CORE, "evidence", "policy"],
  express: [...CORE, "express"],
  nestjs: [...CORE, "nestjs"],
  cli: [...CORE, "evidence", "policy", "cli"],
};
// Static imports and re-exports, and the dynamic imports of what loads on first use.
const RELATIVE_IMPORT = /^(?:import|export)\s[^"';]*?["'](\.{1,2}\/[^"']+)["']|\bimport\(["'](\.{1,2}\/[^"']+)["']\)/gm;

function layerOf(file: string): string {
  const path = relative(src, file);
  return path.includes(sep) ? path.split(sep)[0]! : "entry";
}

function layerImports(): Array<{ file: string; from: string; to: string }> {
  const edges: Array<{ file: string; from: string; to: string }> = [];
  for (const name of readdirSync(src, { recursive: true, encoding: "utf8" })) {
    if (!name.endsWith(".ts")) continue;
    const file = join(src, name);
    for (const [, staticSpecifier, dynamicSpecifier] of readFileSync(file, "utf8").matchAll(RELATIVE_IMPORT)) {
      edges.push({ file: name, from: layerOf(file), to: layerOf(join(dirname(file), (staticSpecifier ?? dynamicSpecifier)!)) });
    }
  }
  return edges;
}

describe("source layers", () => {
  const edges = layerImports();

  it("reads the imports of every layer, static and dynamic", () => {
    expect(new Set(edges.map((e) => e.from))).toEqual(new Set([...Object.keys(MAY_IMPORT), "entry"]));
    expect(edges).toContainEqual({ file: join("evidence", "on-demand.ts"), from: "evidence", to: "evidence" });
  });

  it("each layer imports only the layers below it", () => {
    const crossings = edges.filter((e) => e.from !== "entry" && !MAY_IMPORT[e.from]!.includes(e.to));
    expect(crossings).toEqual([]);
  });
});
