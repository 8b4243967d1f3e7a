import { join } from "node:path";
import { repoRoot } from "./child.mjs";
import { compiledNestMain } from "./nest-build.mjs";

/** The bench's HTTP apps by name: the script that serves their variants (a variant per port, argv[2] "a,b,c"). */
export const BENCH_APPS = {
  express: () => join(repoRoot, "bench/apps/express-app.mjs"),
  nest: (log) => compiledNestMain(log),
};

/** The one app a command line names (its positionals), checked against BENCH_APPS. */
export function benchAppName(positionals) {
  if (positionals.length !== 1 || !Object.hasOwn(BENCH_APPS, positionals[0])) {
    throw new Error(`expected one app: ${Object.keys(BENCH_APPS).join(" or ")}`);
  }
  return positionals[0];
}
