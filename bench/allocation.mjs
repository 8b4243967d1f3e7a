// What a request makes the server allocate, for each variant of an app:
//
//   node bench/allocation.mjs express|nest [--variants a,b,…] [--rounds N] [--top N]
//
// One server process serves the variants (each its own app and port). Each
// variant is loaded for 1 s slices under V8's sampling heap profiler, which
// here counts the objects the garbage collector has since freed too, so the
// figure is what was allocated, not what stayed live. Prints the bytes per
// request of each variant in each round, then by part of the process, then
// the functions that differ most between the first variant and the last.
//
// Allocation depends far less than time on the host's noise: the rounds of a
// variant agree within a few percent, so a change that allocates less shows
// here even when its CPU saving is below what the HTTP bench resolves.
import { load } from "./http/load.mjs";
import { startServer } from "./http/server-process.mjs";
import { BENCH_APPS, benchAppName } from "./lib/apps.mjs";
import { countFlag, readCommandLine, variantsFlag } from "./lib/flags.mjs";
import { functionTables, variantColumns } from "./lib/function-tables.mjs";

const DEFAULT_VARIANTS = { express: ["bare", "middleware", "wrapped-call", "route-only", "recorded"], nest: ["bare", "undecorated", "decorated"] };
const USAGE = "usage: node bench/allocation.mjs express|nest [--variants a,b,…] [--rounds N] [--top N]\n";

const { appName, rounds, top, variants } = readCommandLine(
  USAGE,
  { allowPositionals: true, options: { variants: { type: "string" }, rounds: { type: "string" }, top: { type: "string" } } },
  (flags, positionals) => {
    const appName = benchAppName(positionals);
    return { appName, rounds: countFlag(flags, "rounds", 2), top: countFlag(flags, "top", 25), variants: variantsFlag(flags, DEFAULT_VARIANTS[appName]) };
  },
);
const log = (message) => process.stderr.write(`${message}\n`);

const requests = new Map(variants.map((variant) => [variant, 0]));
const bytes = new Map(variants.map((variant) => [variant, new Map()]));
const perRound = new Map(variants.map((variant) => [variant, []]));
let failed = 0;
const server = await startServer(await BENCH_APPS[appName](log), variants.join(","));
try {
  log(`sampling what ${variants.join(", ")} allocate in one process: 3 s warm-up each, ${rounds} rounds of 1 s slices`);
  for (const variant of variants) await load(server.urls[variant], { durationSec: 3 });
  for (let round = 0; round < rounds; round++) {
    for (const variant of variants) {
      await server.startHeapSampling();
      const run = await load(server.urls[variant], { durationSec: 1 });
      const sampled = await server.stopHeapSampling();
      failed += run.failed;
      requests.set(variant, requests.get(variant) + run.total);
      let total = 0;
      for (const [key, n] of sampled) {
        total += n;
        bytes.get(variant).set(key, (bytes.get(variant).get(key) ?? 0) + n);
      }
      perRound.get(variant).push(total / run.total);
    }
  }
} finally {
  await server.stop();
}
if (failed > 0) log(`warning: ${failed} requests failed (non-2xx, errors or timeouts)`);

const perRequest = new Map(variants.map((v) => [v, new Map([...bytes.get(v)].map(([key, n]) => [key, n / requests.get(v)]))]));
const format = (n) => Math.round(n).toLocaleString("en-US");
const columns = variantColumns(variants, format);
const lines = [`bytes allocated per request (sampled every 512 bytes); requests: ${variants.map((v) => `${v} ${requests.get(v)}`).join(", ")}`, columns.header("round")];
for (let round = 0; round < rounds; round++) lines.push(columns.row(`round ${round + 1}`, (v) => perRound.get(v)[round]));
lines.push("", ...functionTables(variants, perRequest, { format, measure: "allocation", top }));
process.stdout.write(`${lines.join("\n")}\n`);
