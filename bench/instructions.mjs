// How many instructions a request executes in the server, for each variant
// of an app, by function, native code included.
//
//   node bench/instructions.mjs express|nest [--variants a,b,…] [--processes N] [--warmup N] [--requests N] [--top N]
//
// Each variant is served by its own server processes under valgrind's
// callgrind, one after another (two at a time). A server is warmed up with
// valgrind's counting off, then counts the instructions every thread
// executes in user space (not the kernel's) while it serves `requests` more,
// and dumps them. A variant's figure per request is the median over its
// processes; the functions are those of its median process.
//
// Why: the host's slow spells do not move a count, where they double a
// round's time in the HTTP bench. What still moves it is the luck of a
// process: V8 decides at run time which code to optimize and when, how to
// lay out objects, when to collect garbage, and two processes of the same
// variant can differ by a tenth (the range printed shows it). What a count
// leaves out: time spent waiting on memory (an instruction that misses the
// caches counts as one) and the kernel. What it overstates: the garbage
// collector's work on objects that live a while (events an exporter keeps).
// Under valgrind V8 sees a process that allocates little per millisecond and
// keeps its young generation smaller than at full speed, so it collects it
// more often and copies those objects more often (docs/benchmarks.md,
// "Keeping the events"). The compiled JavaScript has no symbol for callgrind
// and is one row; the V8 profilers (bench/profile.mjs,
// bench/native-profile.mjs) name its functions.
//
// Needs valgrind (Debian: apt-get install valgrind; callgrind_control comes
// with it). Valgrind runs a program 30–60 times slower: with the defaults an
// app's three variants take about 8 minutes. The binary that runs the script
// runs the servers.
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { load } from "./http/load.mjs";
import { startServer } from "./http/server-process.mjs";
import { BENCH_APPS, benchAppName } from "./lib/apps.mjs";
import { instructionsByFunction } from "./lib/callgrind.mjs";
import { countFlag, readCommandLine, variantsFlag } from "./lib/flags.mjs";
import { functionTables, variantColumns } from "./lib/function-tables.mjs";
import { nativeCategoryOf } from "./lib/perf-report.mjs";
import { median } from "./lib/stats.mjs";

const DEFAULT_VARIANTS = { express: ["bare", "middleware", "recorded"], nest: ["bare", "undecorated", "decorated"] };
const USAGE =
  "usage: node bench/instructions.mjs express|nest [--variants a,b,…] [--processes N] [--warmup N] [--requests N] [--top N]\n";
// Keep-alive connections, as the HTTP bench loads its servers (fewer: a
// server under valgrind answers a few hundred requests a second).
const CONNECTIONS = 4;
const SERVERS_AT_ONCE = 2;

const { appName, processes, warmup, requests, top, variants } = readCommandLine(
  USAGE,
  {
    allowPositionals: true,
    options: {
      variants: { type: "string" },
      processes: { type: "string" },
      warmup: { type: "string" },
      requests: { type: "string" },
      top: { type: "string" },
    },
  },
  (flags, positionals) => {
    const appName = benchAppName(positionals);
    return {
      appName,
      processes: countFlag(flags, "processes", 3),
      warmup: countFlag(flags, "warmup", 16_000),
      requests: countFlag(flags, "requests", 16_000),
      top: countFlag(flags, "top", 30),
      variants: variantsFlag(flags, DEFAULT_VARIANTS[appName]),
    };
  },
);
const log = (message) => process.stderr.write(`${message}\n`);

for (const tool of ["valgrind", "callgrind_control"]) {
  if (spawnSync(tool, ["--version"]).status !== 0) {
    process.stderr.write(`bench/instructions.mjs needs ${tool} on the PATH (Debian: apt-get install valgrind)\n`);
    process.exit(2);
  }
}
const callgrindControl = promisify(execFile).bind(undefined, "callgrind_control");

const script = await BENCH_APPS[appName](log);
const outputDir = mkdtempSync(join(tmpdir(), "intentproof-instructions-"));

/** Serves `count` requests to `server`, and throws unless every one was answered with a 2xx. */
async function serve(server, count) {
  const result = await load(server.url, { requests: count, connections: CONNECTIONS });
  if (result.failed > 0 || result.total < count) {
    throw new Error(
      `${server.variant}: ${result.total} of ${count} requests answered, ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`,
    );
  }
}

/** The instructions one server of `variant` executes while it serves `requests` requests after its warm-up. */
async function countInstructions(variant, index) {
  const outputFile = join(outputDir, `${variant}.${index}`);
  const server = await startServer(script, variant, {
    execPath: "valgrind",
    execArgv: [
      "--tool=callgrind",
      // Counting starts after the warm-up, which runs several times faster uncounted.
      "--instr-atstart=no",
      // V8 writes and rewrites the code it runs.
      "--smc-check=all-non-file",
      "--dump-instr=no",
      "--compress-strings=no",
      "--compress-pos=no",
      `--callgrind-out-file=${outputFile}`,
      process.execPath,
    ],
    startTimeoutMs: 300_000,
  });
  try {
    await serve(server, warmup);
    await callgrindControl(["--instr=on", String(server.pid)]);
    await serve(server, requests);
    // Written to `${outputFile}.1`: the counts since instrumentation started.
    await callgrindControl(["--dump", String(server.pid)]);
  } finally {
    await server.exitNormally();
  }
  const { total, byKey } = instructionsByFunction(readFileSync(`${outputFile}.1`, "utf8"));
  return { total: total / requests, byKey: new Map([...byKey].map(([key, count]) => [key, count / requests])) };
}

/** Runs `tasks` (functions returning promises), at most `limit` at a time; resolves with their results in order. */
async function inPool(tasks, limit) {
  const results = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

log(`callgrind on ${variants.join(", ")}: ${processes} server process${processes === 1 ? "" : "es"} each, counting requests ${warmup + 1} to ${warmup + requests}`);
const runs = new Map();
try {
  // Interleaved (a b c a b c …), so that a variant's processes do not all run at the same moment.
  const order = Array.from({ length: processes }, (_, index) => variants.map((variant) => ({ variant, index }))).flat();
  const counts = await inPool(
    order.map(({ variant, index }) => () => countInstructions(variant, index)),
    SERVERS_AT_ONCE,
  );
  order.forEach(({ variant }, i) => runs.set(variant, [...(runs.get(variant) ?? []), counts[i]]));
} finally {
  rmSync(outputDir, { recursive: true, force: true });
}

const totals = new Map(variants.map((v) => [v, runs.get(v).map((run) => run.total)]));
const medianTotal = (v) => median(totals.get(v));
/** The process whose total is the median (the lower of the two middle ones for an even count). */
const medianRun = (v) => {
  const sorted = [...runs.get(v)].sort((a, b) => a.total - b.total);
  return sorted[Math.floor((sorted.length - 1) / 2)];
};

const format = (n) => n.toFixed(0);
const columns = variantColumns(variants, format);
const first = variants[0];
const lines = [
  `instructions per request, requests ${warmup + 1} to ${warmup + requests}, every thread, user space; median over ${processes} process${processes === 1 ? "" : "es"}`,
  columns.header("variant"),
  columns.row("all", medianTotal),
  columns.row("fewest, of its processes", (v) => Math.min(...totals.get(v))),
  columns.row("most, of its processes", (v) => Math.max(...totals.get(v))),
  columns.row(`over ${first}`, (v) => medianTotal(v) - medianTotal(first)),
  variantColumns(variants, (n) => `${n.toFixed(1)}%`).row(`over ${first}, share`, (v) => (100 * (medianTotal(v) - medianTotal(first))) / medianTotal(first)),
  "",
  `by function, in each variant's median process:`,
  ...functionTables(
    variants,
    new Map(variants.map((v) => [v, medianRun(v).byKey])),
    {
      format,
      measure: "instruction count",
      top,
      categoryOf: (key) => (key.endsWith(" [JIT]") ? "compiled JavaScript (not named here)" : nativeCategoryOf(key)),
    },
  ),
];
process.stdout.write(`${lines.join("\n")}\n`);
