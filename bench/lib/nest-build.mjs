import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, runNode } from "./child.mjs";

let nestMain;

/**
 * The Nest bench apps use decorator metadata, so they are compiled with tsc,
 * once per run of a bench script; resolves with the compiled main.js.
 */
export function compiledNestMain(log) {
  nestMain ??= compile(log);
  return nestMain;
}

async function compile(log) {
  const outDir = join(repoRoot, "bench/dist");
  rmSync(outDir, { recursive: true, force: true });
  try {
    await runNode(["node_modules/typescript/bin/tsc", "-p", "bench/tsconfig.json"], { timeoutMs: 120_000 });
  } catch (error) {
    // tsc still emits on type errors; go on if it did, but say so.
    if (!existsSync(join(outDir, "nest/main.js"))) throw error;
    log(`  warning: bench/tsconfig.json has type errors:\n${error.message}`);
  }
  return join(outDir, "nest/main.js");
}
