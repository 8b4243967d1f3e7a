// Where a request's CPU time goes, all of it, for each variant of an app:
//
//   node bench/native-profile.mjs express|nest [--variants a,b,…] [--rounds N] [--top N]
//
// One server process serves the variants (each its own app and port). Linux
// perf samples the whole process on CPU time (the cpu-clock event, one
// sample per 200 µs a thread spends on a core) while one variant is loaded,
// for 2 s slices in mirrored rounds; a symbol's figure is its median over the
// rounds. Unlike V8's profiler (bench/profile.mjs),
// which samples wall time and sees only JavaScript frames, this credits the
// time spent in V8's builtins (property lookups, calls, write barriers), its
// C++ runtime and garbage collector, Node's C++, the C library and the
// kernel, on every thread. JavaScript is named through --perf-basic-prof's
// map; code V8 has moved or freed can be credited to a function that held
// its address before (a module loader's function showing up per request,
// say), so read single JavaScript rows with care.
//
// Needs `perf` (Debian: apt-get install linux-perf) and the right to profile
// the server (root, or kernel.perf_event_paranoid ≤ 1). Run with Node 24:
// the binary that runs the script runs the server.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { load } from "./http/load.mjs";
import { mirroredOrder } from "./http/round.mjs";
import { startServer } from "./http/server-process.mjs";
import { BENCH_APPS, benchAppName } from "./lib/apps.mjs";
import { repoRoot } from "./lib/child.mjs";
import { countFlag, readCommandLine, variantsFlag } from "./lib/flags.mjs";
import { functionTables, variantColumns } from "./lib/function-tables.mjs";
import { nativeCategoryOf, samplesBySymbol } from "./lib/perf-report.mjs";
import { median, rotate } from "./lib/stats.mjs";

const DEFAULT_VARIANTS = { express: ["bare", "middleware", "recorded"], nest: ["bare", "undecorated", "decorated"] };
const USAGE = "usage: node bench/native-profile.mjs express|nest [--variants a,b,…] [--rounds N] [--top N]\n";
/** CPU time per sample, in ns (cpu-clock counts nanoseconds). */
const SAMPLE_PERIOD_NS = 200_000;
const SLICE_SEC = 2;

const { appName, rounds, top, variants } = readCommandLine(
  USAGE,
  { allowPositionals: true, options: { variants: { type: "string" }, rounds: { type: "string" }, top: { type: "string" } } },
  (flags, positionals) => {
    const appName = benchAppName(positionals);
    return { appName, rounds: countFlag(flags, "rounds", 5), top: countFlag(flags, "top", 30), variants: variantsFlag(flags, DEFAULT_VARIANTS[appName]) };
  },
);
const log = (message) => process.stderr.write(`${message}\n`);

// Checked before a server starts: perf is there, and may sample on CPU time.
const perfVersion = spawnSync("perf", ["--version"], { encoding: "utf8" });
if (perfVersion.status !== 0) {
  process.stderr.write("bench/native-profile.mjs needs Linux perf on the PATH (Debian: apt-get install linux-perf)\n");
  process.exit(2);
}
const trial = spawnSync("perf", ["record", "-q", "-e", "cpu-clock", "-o", "/dev/null", "--", "true"], { encoding: "utf8" });
if (trial.status !== 0) {
  const reason = trial.stderr.trim().split("\n")[0];
  process.stderr.write(`bench/native-profile.mjs: perf may not record here (root, or kernel.perf_event_paranoid ≤ 1): ${reason}\n`);
  process.exit(2);
}

/** Starts `perf record` on the process `pid`; resolves once it has opened its data file, as it attaches. */
async function startRecording(pid, file) {
  const perf = spawn("perf", ["record", "-q", "-e", "cpu-clock", "-c", String(SAMPLE_PERIOD_NS), "-p", String(pid), "-o", file], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  perf.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => perf.once("exit", (code, signal) => resolve({ code, signal })));
  const failure = () => new Error(`perf record could not profile the server (permissions? kernel.perf_event_paranoid): ${stderr.trim()}`);
  for (let waited = 0; !existsSync(file); waited += 20) {
    if (perf.exitCode !== null || waited > 10_000) {
      perf.kill("SIGKILL");
      throw failure();
    }
    await sleep(20);
  }
  return {
    stop: async () => {
      perf.kill("SIGINT");
      const { code, signal } = await exited;
      if (code !== 0 && signal !== "SIGINT") throw failure();
    },
  };
}

function samplesOf(file) {
  const report = spawnSync("perf", ["report", "-i", file, "--stdio", "--no-children", "--sort", "dso,sym", "-F", "sample,dso,sym", "-t", "\t"], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (report.status !== 0) throw new Error(`perf report failed: ${report.stderr.trim()}`);
  return samplesBySymbol(report.stdout, repoRoot);
}

const dataDir = mkdtempSync(join(tmpdir(), "intentproof-perf-"));
const requests = new Map(variants.map((variant) => [variant, 0]));
/** Per variant, one map per round: symbol → µs per request in that round. */
const roundFigures = new Map(variants.map((variant) => [variant, []]));
let failed = 0;
// --perf-basic-prof also starts V8's event log; it goes to the server's stdout, which is discarded, not to a file in the repository.
const server = await startServer(await BENCH_APPS[appName](log), variants.join(","), {
  execArgv: [...process.execArgv, "--perf-basic-prof", "--logfile=-", "--no-logfile-per-isolate"],
});
try {
  log(`perf on ${variants.join(", ")} in one process: 6 s warm-up each, ${rounds} mirrored rounds of ${SLICE_SEC} s slices`);
  for (const variant of variants) await load(server.urls[variant], { durationSec: 6 });
  let slice = 0;
  for (let round = 0; round < rounds; round++) {
    const thisRound = new Map(variants.map((variant) => [variant, { requests: 0, samples: new Map() }]));
    for (const variant of mirroredOrder(rotate(variants, round))) {
      const file = join(dataDir, `${slice++}.data`);
      const recording = await startRecording(server.pid, file);
      const run = await load(server.urls[variant], { durationSec: SLICE_SEC });
      await recording.stop();
      failed += run.failed;
      requests.set(variant, requests.get(variant) + run.total);
      const tally = thisRound.get(variant);
      tally.requests += run.total;
      for (const [key, n] of samplesOf(file)) tally.samples.set(key, (tally.samples.get(key) ?? 0) + n);
      rmSync(file);
    }
    for (const [variant, tally] of thisRound) {
      roundFigures.get(variant).push(new Map([...tally.samples].map(([key, n]) => [key, (n * SAMPLE_PERIOD_NS) / 1000 / tally.requests])));
    }
  }
} finally {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
  // The JIT symbol map --perf-basic-prof wrote for the server.
  rmSync(join(tmpdir(), `perf-${server.pid}.map`), { force: true });
}
if (failed > 0) log(`warning: ${failed} requests failed (non-2xx, errors or timeouts)`);

// Each variant's total per request in each round, summed once.
const roundTotals = new Map(variants.map((v) => [v, roundFigures.get(v).map((byKey) => [...byKey.values()].reduce((a, b) => a + b, 0))]));
// This host has slow spells that inflate every figure of a round: each
// symbol's figure is its median over the rounds (so the parts need not add
// up to the median total).
const perRequest = new Map(
  variants.map((v) => {
    const byRound = roundFigures.get(v);
    const keys = new Set(byRound.flatMap((byKey) => [...byKey.keys()]));
    return [v, new Map([...keys].map((key) => [key, median(byRound.map((byKey) => byKey.get(key) ?? 0))]))];
  }),
);
const format = (us) => us.toFixed(2);
const columns = variantColumns(variants, format);
const lines = [
  `CPU time per request (µs), every thread, a sample per ${SAMPLE_PERIOD_NS / 1000} µs on a core; requests: ${variants.map((v) => `${v} ${requests.get(v)}`).join(", ")}`,
  columns.header("round"),
];
for (let round = 0; round < rounds; round++) lines.push(columns.row(`round ${round + 1}`, (v) => roundTotals.get(v)[round]));
lines.push(columns.row("median", (v) => median(roundTotals.get(v))));
// Taken round by round, so a slow spell weighs on both sides of each difference.
const baseTotals = roundTotals.get(variants[0]);
lines.push(columns.row(`over ${variants[0]}, median`, (v) => median(roundTotals.get(v).map((total, round) => total - baseTotals[round]))));
lines.push(
  "",
  "medians over the rounds:",
  ...functionTables(variants, perRequest, { format, measure: "CPU time", top, totalLabel: "the medians added up", categoryOf: nativeCategoryOf }),
);
process.stdout.write(`${lines.join("\n")}\n`);
