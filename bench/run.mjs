// `npm run bench` (after `npm run build`): core overhead per call, heap over
// 1M calls, cold import time, Express / Nest throughput with and without
// IntentProof, and (Node 24+) the server CPU each variant adds when all of an
// app's variants share one process. Every measurement runs in child processes
// that import the package by its own name (resolved through package.json
// "exports" to dist/), so it measures what users get. Progress goes to
// stderr; the tables, the Markdown snippet and bench/results/latest.json (and
// node-<major>.json, one per Node major) are the results.
//
//   node bench/run.mjs [--quick] [--only core,memory,import,express,nest,one-process,evidence,policy]
//                      [--http-rounds N] [--http-processes N] [--http-duration S] [--node <path>]
//   node bench/run.mjs --report [--write]
//   node bench/pool.mjs <results.json> ...   (the HTTP rounds of several runs pooled)
//   node bench/profile.mjs express|nest       (where a request's time goes, by function)
//   node bench/one-process.mjs express|nest --variants a,b,…   (any variants in one process, step by step)
//   node bench/allocation.mjs express|nest    (what a request allocates, by function)
//   node bench/native-profile.mjs express|nest   (all of a request's CPU time, native code too; needs Linux perf)
//   node bench/instructions.mjs express|nest     (instructions a request executes, by function; needs valgrind)
//
// --node runs the whole bench (this script and every child) on that Node
// binary. --report prints the docs/benchmarks.md tables from the saved
// node-<major>.json results, one column per Node version; --write puts them
// between the BENCH markers of docs/benchmarks.md.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { measureColdImports, IMPORT_PROBES } from "./cold-import.mjs";
import { compareThroughput } from "./http/compare.mjs";
import { compareInOneProcess, ONE_PROCESS_SETTINGS } from "./http/compare-in-one-process.mjs";
import { BENCH_APPS } from "./lib/apps.mjs";
import { repoRoot, runNode, runNodeJson } from "./lib/child.mjs";
import { countFlag, readCommandLine } from "./lib/flags.mjs";
import { machineInfo } from "./lib/machine.mjs";
import { printReport } from "./lib/report.mjs";
import { sideBySideReport } from "./lib/side-by-side.mjs";
import { median } from "./lib/stats.mjs";

const SECTIONS = ["core", "memory", "import", "express", "nest", "one-process", "evidence", "policy"];
const USAGE = `usage:
  node bench/run.mjs [--quick] [--only ${SECTIONS.join(",")}]
                     [--http-rounds N] [--http-processes N] [--http-duration S] [--node <path>]
  node bench/run.mjs --report [--write]
  node bench/pool.mjs <results.json> <results.json> ...   (HTTP rounds of several runs pooled)
  node bench/profile.mjs express|nest                      (where a request's time goes, by function)
  node bench/one-process.mjs express|nest --variants a,b,… (any variants in one process, step by step)
  node bench/allocation.mjs express|nest                   (what a request allocates, by function)
  node bench/native-profile.mjs express|nest               (all of a request's CPU time, native code too; needs Linux perf)
  node bench/instructions.mjs express|nest                 (instructions a request executes, by function; needs valgrind)
`;
const flags = readCommandLine(
  USAGE,
  {
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      "http-rounds": { type: "string" },
      "http-processes": { type: "string" },
      "http-duration": { type: "string" },
      node: { type: "string" },
      report: { type: "boolean", default: false },
      write: { type: "boolean", default: false },
    },
  },
  (values) => {
    const sections = values.only ? values.only.split(",").map((s) => s.trim()) : SECTIONS;
    for (const name of sections) if (!SECTIONS.includes(name)) throw new Error(`--only: unknown section "${name}" (${SECTIONS.join(", ")})`);
    const httpRounds = countFlag(values, "http-rounds", values.quick ? 1 : 24);
    return {
      ...values,
      sections,
      httpRounds,
      // Server processes per variant, the rounds spread over them (see compare.mjs).
      httpProcesses: countFlag(values, "http-processes", Math.ceil(httpRounds / 6)),
      // One slice; a round loads each variant twice (see http/round.mjs).
      httpDurationSec: countFlag(values, "http-duration", 1),
    };
  },
);

if (flags.report) {
  sideBySideReport({ resultsDir: join(repoRoot, "bench/results"), docsFile: join(repoRoot, "docs/benchmarks.md"), write: flags.write });
  process.exit(0);
}

if (flags.node !== undefined) {
  // Re-run this script on the requested Node: every child (fork, spawn of
  // process.execPath) then inherits it too.
  const rest = process.argv.slice(2).filter((arg, i, all) => arg !== "--node" && all[i - 1] !== "--node" && !arg.startsWith("--node="));
  const version = spawnSync(flags.node, ["--version"], { encoding: "utf8" });
  if (version.status !== 0) {
    process.stderr.write(`--node: cannot run ${flags.node} (${version.error?.message ?? version.stderr.trim()})\n`);
    process.exit(2);
  }
  process.stderr.write(`running the bench on ${flags.node} (${version.stdout.trim()})\n`);
  const child = spawnSync(flags.node, [fileURLToPath(import.meta.url), ...rest], { stdio: "inherit" });
  process.exit(child.status ?? 1);
}
const quick = flags.quick;
const { sections: only, httpRounds } = flags;

const settings = {
  mode: quick ? "quick" : "full",
  core: quick ? { processes: 1, iterations: 50_000, rounds: 3, warmup: 50_000 } : { processes: 3, iterations: 200_000, rounds: 7, warmup: 50_000 },
  memory: quick ? { calls: 200_000, checkpoint: 20_000 } : { calls: 1_000_000, checkpoint: 100_000 },
  import: { runs: quick ? 3 : 11 },
  http: {
    rounds: httpRounds,
    processes: flags.httpProcesses,
    durationSec: flags.httpDurationSec,
    // Per process: a server keeps getting faster for several seconds.
    warmupSec: quick ? 1 : 8,
  },
  // Every variant of an app served by one process (see compare-in-one-process.mjs).
  oneProcess: quick ? { processes: 1, rounds: 1, durationSec: 1, warmupSec: 1 } : ONE_PROCESS_SETTINGS,
};

const log = (message) => process.stderr.write(`${message}\n`);
const started = Date.now();
const results = { machine: machineInfo(), settings, sections: only, loadAverage: { atStart: loadavg()[0] } };

/**
 * Runs `node --input-type=module -e "await import(specifier)"` once per run
 * (several sections ask); resolves undefined when it works, else why not.
 */
const importProblems = new Map();
function importProblem(specifier) {
  if (!importProblems.has(specifier)) importProblems.set(specifier, probeImport(specifier));
  return importProblems.get(specifier);
}

async function probeImport(specifier) {
  try {
    await runNode(["--input-type=module", "-e", `await import(${JSON.stringify(specifier)});`], { timeoutMs: 60_000 });
    return undefined;
  } catch (error) {
    const lines = String(error.message).split("\n").filter((l) => /Error|error/.test(l));
    return lines[0]?.trim() ?? "import failed";
  }
}

async function section(name, fn) {
  if (!only.includes(name)) return;
  const t0 = Date.now();
  log(`\n[${name}]`);
  try {
    results[name] = await fn();
  } catch (error) {
    log(`  failed: ${error.stack ?? error}`);
    results[name] = { error: String(error.message ?? error) };
  }
  log(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

await section("core", async () => {
  const c = settings.core;
  log(`  ${c.processes} process${c.processes === 1 ? "" : "es"} × ${c.rounds} rounds × ${c.iterations} sync calls per variant (async: half), variants interleaved`);
  // Several fresh processes, each variant's figure the median of their medians:
  // one process's JIT and memory layout can favour one variant for its whole life.
  const perProcess = [];
  for (let i = 0; i < c.processes; i++) {
    perProcess.push(
      await runNodeJson(
        ["bench/core/overhead.mjs", "--iterations", String(c.iterations), "--rounds", String(c.rounds), "--warmup", String(c.warmup)],
        { timeoutMs: 300_000 },
      ),
    );
  }
  const raw = {
    ...perProcess[0],
    processes: c.processes,
    samples: Object.fromEntries(Object.keys(perProcess[0].samples).map((v) => [v, perProcess.flatMap((p) => p.samples[v])])),
    processMedians: Object.fromEntries(Object.keys(perProcess[0].medians).map((v) => [v, perProcess.map((p) => p.medians[v])])),
    recorded: Math.min(...perProcess.map((p) => p.recorded)),
    sink: perProcess.reduce((n, p) => n + p.sink, 0),
  };
  raw.medians = Object.fromEntries(Object.entries(raw.processMedians).map(([v, list]) => [v, median(list)]));
  const m = raw.medians;
  const vs = (variant, baseline) => ({ ratio: m[variant] / m[baseline], addedNs: m[variant] - m[baseline] });
  return {
    ...raw,
    comparisons: {
      wrapped: vs("wrapped", "plain"),
      otelSpan: vs("otelSpan", "plain"),
      wrappedAsync: vs("wrappedAsync", "plainAsync"),
    },
    target: { maxAddedNsSync: 1000, met: m.wrapped - m.plain <= 1000 },
  };
});

await section("memory", async () => {
  const c = settings.memory;
  log(`  ${c.calls.toLocaleString("en-US")} sync wrapped calls, heap after gc() at ${c.checkpoint.toLocaleString("en-US")} and at the end`);
  const raw = await runNodeJson(
    ["--expose-gc", "bench/core/memory.mjs", "--calls", String(c.calls), "--checkpoint", String(c.checkpoint)],
    { timeoutMs: 300_000 },
  );
  // Flat: less than 1 MiB over 900k calls, i.e. about a byte per call at most.
  return { ...raw, target: { maxGrowthBytes: 2 ** 20, met: raw.growthBytes < 2 ** 20 } };
});

await section("import", async () => {
  const probes = [];
  const skipped = {};
  for (const probe of IMPORT_PROBES) {
    // Framework probes (and their references) only run when that entry exists.
    const problem = probe.entry ? await importProblem(`intentproof/${probe.entry}`) : undefined;
    if (problem) {
      skipped[probe.name] = problem;
      log(`  ${probe.name}: not available (${problem})`);
    } else probes.push(probe);
  }
  log(`  ${settings.import.runs} fresh processes per import, interleaved`);
  const measured = await measureColdImports({ runs: settings.import.runs, probes, log });
  const main = measured["import intentproof"];
  return {
    probes: measured,
    notAvailable: skipped,
    target: { maxMs: 25, met: main ? main.medianMs < 25 : undefined },
  };
});

// "hand-recorded" is the recorded route's floor: its two events, hand-written
// without the package's checks (bench/apps/hand-recorder.mjs).
const EXPRESS_VARIANTS = ["bare", "middleware", "recorded", "als", "next", "hand-recorded"];
// In one process, where a µs is resolved, "recorded" is also split into its
// parts, beside a control that adds 5 µs of plain JavaScript.
const EXPRESS_ONE_PROCESS_VARIANTS = ["bare", "middleware", "wrapped-call", "route-only", "recorded", "als", "next", "hand-recorded", "spin5"];
// Nest's floor likewise: the decorated route's two events, hand-written.
const NEST_VARIANTS = ["bare", "undecorated", "decorated", "hand-recorded"];
const http = settings.http;
const httpPlan =
  `  autocannon: 10 connections, pipelining 1, ${http.rounds} rounds, each loading every variant twice for ${http.durationSec}s (mirrored order), ` +
  `rounds spread over ${http.processes} server processes per variant (${http.warmupSec}s warm-up each)`;
const httpTargets = (res, [bare, light, heavy]) => ({
  [light]: { minRatio: 0.97, met: res[light].ratioVsBaseline >= 0.97 },
  [heavy]: { minRatio: 0.9, met: res[heavy].ratioVsBaseline >= 0.9 },
  baseline: bare,
});

await section("express", async () => {
  const problem = await importProblem("intentproof/express");
  if (problem) {
    log(`  not available: intentproof/express cannot be imported (${problem})`);
    return { notAvailable: problem };
  }
  log(httpPlan);
  // "als", "next" and "hand-recorded" are reference points (a bare AsyncLocalStorage
  // middleware, an empty one, the route's records written by hand), not IntentProof.
  const variants = EXPRESS_VARIANTS;
  const res = await compareThroughput({
    script: BENCH_APPS.express(log),
    variants,
    ...http,
    log,
  });
  return { variants: res, targets: httpTargets(res, variants) };
});

await section("nest", async () => {
  const problem = await importProblem("intentproof/nestjs");
  if (problem) {
    log(`  not available: intentproof/nestjs cannot be imported (${problem})`);
    return { notAvailable: problem };
  }
  log(httpPlan);
  const variants = NEST_VARIANTS;
  const res = await compareThroughput({ script: await BENCH_APPS.nest(log), variants, ...http, log });
  return { variants: res, targets: httpTargets(res, variants) };
});

await section("one-process", async () => {
  // Before Node 24, the first AsyncLocalStorage entered switches promise hooks
  // on for the whole process: the bare app would pay them too, hiding that
  // cost from the comparison.
  if (Number(process.versions.node.split(".")[0]) < 24) {
    const reason = "Node 24 and later only: on earlier Node the promise hooks one app switches on slow every app of the process";
    log(`  skipped: ${reason}`);
    return { skipped: reason };
  }
  const c = settings.oneProcess;
  log(
    `  every variant of an app in one server process (an app and a port each): ${c.processes} processes × ` +
      `${c.rounds} rounds, each loading every variant twice for ${c.durationSec}s (mirrored order; ${c.warmupSec}s warm-up each)`,
  );
  const apps = {};
  if (!(await importProblem("intentproof/express"))) {
    log("  Express");
    apps.express = await compareInOneProcess({
      script: BENCH_APPS.express(log),
      variants: EXPRESS_ONE_PROCESS_VARIANTS,
      ...c,
      log,
    });
  }
  if (!(await importProblem("intentproof/nestjs"))) {
    log("  Nest");
    apps.nest = await compareInOneProcess({ script: await BENCH_APPS.nest(log), variants: NEST_VARIANTS, ...c, log });
  }
  // Issue 12's goal on Node 24: a recorded request (two records) at most +15 µs of server CPU over bare.
  const recordedVariants = { express: "recorded", nest: "decorated" };
  const targets = Object.fromEntries(
    Object.entries(apps).map(([app, result]) => {
      const addedUs = result.variants[recordedVariants[app]].medianAddedCpuUsPerRequest;
      return [app, { variant: recordedVariants[app], maxAddedUs: 15, met: addedUs <= 15 }];
    }),
  );
  return { apps, targets };
});

await section("evidence", async () => {
  log("  caller-path cost (Memory vs Memory + EvidenceExporter), sustained sealed+signed+logged rate, event-loop delay at 5,000/s, slow disk");
  const raw = await runNodeJson(["--expose-gc", "bench/evidence/evidence-bench.mjs", ...(quick ? ["--quick"] : [])], { timeoutMs: 600_000 });
  return {
    ...raw,
    targets: {
      callerAddedNs: { max: 300, met: raw.caller.medianAddedNsPerCall <= 300 },
      eventsPerSecond: { min: 10_000, met: raw.throughput.eventsPerSecond >= 10_000 },
      addedP99Ms: { max: 5, met: raw.loop.addedP99Ms < 5 },
    },
  };
});

await section("policy", async () => {
  log("  a closed 10-event flow against a 3-rule policy; FlowMonitor.export() on the caller's path");
  const raw = await runNodeJson(["bench/policy/evaluate.mjs", ...(quick ? ["--iterations", "2000", "--rounds", "3"] : [])], { timeoutMs: 300_000 });
  return { ...raw, target: { maxUs: 50, met: raw.evaluate_10_events_3_rules_us <= 50 } };
});

results.totalSeconds = (Date.now() - started) / 1000;
results.loadAverage.atEnd = loadavg()[0];
const resultsDir = join(repoRoot, "bench/results");
mkdirSync(resultsDir, { recursive: true });
const resultsFile = join(resultsDir, "latest.json");
writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
// One file per Node major, which --report puts side by side.
const major = process.versions.node.split(".")[0];
const perNodeFile = join(resultsDir, `node-${major}.json`);
// With --only, the other sections of an earlier run on this Node are kept.
const earlier = flags.only && existsSync(perNodeFile) ? JSON.parse(readFileSync(perNodeFile, "utf8")) : {};
writeFileSync(perNodeFile, `${JSON.stringify({ ...earlier, ...results, sections: [...new Set([...(earlier.sections ?? []), ...only])] }, null, 2)}\n`);
printReport(results);
log(`\nwrote ${resultsFile} and node-${major}.json (${results.totalSeconds.toFixed(0)} s total)`);
