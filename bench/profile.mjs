// Where a request's time goes, by function, for each variant of an app:
//
//   node bench/profile.mjs express|nest [--variants a,b,…] [--rounds N] [--top N]
//
// One server process serves the app's variants (each its own app and port)
// under V8's CPU profiler. The variants are loaded one at a time, in mirrored
// rounds of 1 s slices, and each sample is credited to the variant loaded at
// that moment (lib/profile-windows.mjs), so every variant is profiled in the
// same process, with the same JIT and the same luck. Prints self time per
// request by part of the process, then the functions that differ most from
// the first variant. --variants picks them (names from bench/apps; the first
// is the one the others are compared with). Express's default list has the
// "spin5" control, a middleware timed at 5 µs of plain JavaScript: what the
// profile credits to it says how much of a function's CPU time this host's
// profiles show.
//
// Read the output as where the time goes, not as a measurement of cost: the
// profiler samples wall time and perturbs what it measures. Costs are
// measured by `npm run bench`.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { load } from "./http/load.mjs";
import { mirroredOrder } from "./http/round.mjs";
import { startServer } from "./http/server-process.mjs";
import { BENCH_APPS, benchAppName } from "./lib/apps.mjs";
import { repoRoot } from "./lib/child.mjs";
import { countFlag, readCommandLine, variantsFlag } from "./lib/flags.mjs";
import { functionTables } from "./lib/function-tables.mjs";
import { selfTimeByWindow } from "./lib/profile-windows.mjs";
import { rotate } from "./lib/stats.mjs";

const DEFAULT_VARIANTS = { express: ["bare", "spin5", "middleware", "recorded"], nest: ["bare", "undecorated", "decorated"] };
const USAGE = "usage: node bench/profile.mjs express|nest [--variants a,b,…] [--rounds N] [--top N]\n";

const { appName, rounds, top, variants } = readCommandLine(
  USAGE,
  { allowPositionals: true, options: { variants: { type: "string" }, rounds: { type: "string" }, top: { type: "string" } } },
  (flags, positionals) => {
    const appName = benchAppName(positionals);
    return { appName, rounds: countFlag(flags, "rounds", 6), top: countFlag(flags, "top", 30), variants: variantsFlag(flags, DEFAULT_VARIANTS[appName]) };
  },
);
const log = (message) => process.stderr.write(`${message}\n`);

const profileDir = mkdtempSync(join(tmpdir(), "intentproof-profile-"));
const nowUs = () => Number(process.hrtime.bigint() / 1000n);
const windows = [];
const requests = new Map(variants.map((variant) => [variant, 0]));
let failed = 0;
const server = await startServer(await BENCH_APPS[appName](log), variants.join(","), {
  execArgv: ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, "--cpu-prof-interval=100"],
});
try {
  log(`profiling ${variants.join(", ")} in one process: 6 s warm-up each, ${rounds} mirrored rounds of 1 s slices`);
  for (const variant of variants) await load(server.urls[variant], { durationSec: 6 });
  for (let round = 0; round < rounds; round++) {
    for (const variant of mirroredOrder(rotate(variants, round))) {
      const fromUs = nowUs();
      const run = await load(server.urls[variant], { durationSec: 1 });
      windows.push({ variant, fromUs, toUs: nowUs() });
      requests.set(variant, requests.get(variant) + run.total);
      failed += run.failed;
    }
  }
} finally {
  await server.exitNormally();
}
let profile;
try {
  const [file] = readdirSync(profileDir);
  if (file === undefined) throw new Error("the server wrote no CPU profile");
  profile = JSON.parse(readFileSync(join(profileDir, file), "utf8"));
} finally {
  rmSync(profileDir, { recursive: true, force: true });
}
if (failed > 0) log(`warning: ${failed} requests failed (non-2xx, errors or timeouts)`);

const perRequest = new Map();
for (const [variant, self] of selfTimeByWindow(profile, windows, pathToFileURL(repoRoot).href)) {
  const count = requests.get(variant);
  perRequest.set(variant, new Map([...self].map(([key, us]) => [key, us / count])));
}

const lines = [
  `self time per request (µs), sampled every 100 µs; requests: ${variants.map((v) => `${v} ${requests.get(v)}`).join(", ")}`,
  ...functionTables(variants, perRequest, { format: (us) => us.toFixed(2), measure: "self time", top, totalLabel: "sampled in all" }),
];
process.stdout.write(`${lines.join("\n")}\n`);
