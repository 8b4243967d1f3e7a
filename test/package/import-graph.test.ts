import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * What a cold `import "intentproof"` reads: each file costs a resolve, a read
 * and a link, so the build groups import-time code into a few chunks, and the
 * file-reading tools (verifier, checker, bundles, CLI commands) load on first
 * call, EvidenceExporter's machinery as an exporter starts, and the costlier
 * Node built-ins on first use. Reads the built dist/ (npm test builds first).
 */
const dist = fileURLToPath(new URL("../../dist/", import.meta.url));
const STATIC_IMPORT = /^import\s+(?:[^"';]*?\s+from\s+)?["'](\.{1,2}\/[^"']+)["']/gm;

function staticClosure(entry: string): string[] {
  const seen = new Set<string>();
  const pending = [join(dist, entry)];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const [, specifier] of readFileSync(file, "utf8").matchAll(STATIC_IMPORT)) pending.push(join(dirname(file), specifier!));
  }
  return [...seen].map((file) => file.slice(dist.length)).sort();
}

describe("import-time files of the built package", () => {
  it("intentproof loads its entry, the core and the evidence/policy layers: three files", () => {
    const files = staticClosure("index.js");
    expect(files).toHaveLength(3);
    expect(files.filter((f) => /^chunks\/(core|evidence-policy)-/.test(f))).toHaveLength(2);
  });

  it("intentproof/express loads the core and nothing of the evidence or policy layers", () => {
    const files = staticClosure("express.js");
    expect(files.some((f) => /^chunks\/core-/.test(f))).toBe(true);
    expect(files.filter((f) => /evidence|policy/.test(f))).toEqual([]);
  });

  it("EvidenceExporter's machinery (instance store, recovery, segment log, signer, shipper) is not loaded at import", () => {
    const loaded = new Set(["index.js", "express.js", "nestjs.js"].flatMap(staticClosure));
    for (const file of loaded) {
      expect(readFileSync(join(dist, file), "utf8")).not.toMatch(/^(async function openInstance|async function recoverInstance|var BatchSigner|var Shipper|class BatchSigner|class Shipper)\b/m);
    }
  });

  it("importing intentproof loads none of node:crypto, node:zlib, node:fs/promises, node:os, node:perf_hooks, node:worker_threads", () => {
    // Node's own list of the built-in modules it has loaded, before and after the import.
    const script = `const before = new Set(process.moduleLoadList);
await import("intentproof");
console.log(JSON.stringify(process.moduleLoadList.filter((m) => !before.has(m))));`;
    const root = fileURLToPath(new URL("../..", import.meta.url));
    const added = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" })) as string[];
    for (const name of ["crypto", "zlib", "fs/promises", "os", "perf_hooks", "worker_threads", "stream"]) {
      expect(added).not.toContain(`NativeModule ${name}`);
    }
  });

  it("the verifier, checker and bundle readers are not loaded at import", () => {
    const loaded = new Set(["index.js", "express.js", "nestjs.js"].flatMap(staticClosure));
    for (const file of loaded) {
      // The log verifier and the bundle verifier: what `verifyEvidence` and `verifyBundleFile` load.
      expect(readFileSync(join(dist, file), "utf8")).not.toMatch(/^function (verifyStreams|verifyBundleMembers)\(/m);
    }
  });
});
