import { join } from "node:path";
import { repoRoot } from "./child.mjs";
import { compiledNestMain } from "./nest-build.mjs";

/** The bench's HTTP apps by name: the script that serves their variants (a variant per port, argv[2] "a,b,c"). */
export const BENCH_APPS = {
  express: () => join(repoRoot, "bench/apps/express-app.mjs"),
  nest: (log) => compiledNestMain(log),
};
