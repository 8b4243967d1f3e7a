// The docs/benchmarks.md tables: one column per Node version, from the
// node-<major>.json files that `npm run bench [-- --node <path>]` saves.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CORE_ROWS, evidencePolicyRows, HTTP_LABELS, oneProcessRows } from "./report.mjs";
import { fmtAddedNs, fmtBytes, fmtCpu, fmtMs, fmtNs, fmtRate, fmtRatio, markdownTable, withInterval } from "./table.mjs";

const START = "<!-- BENCH:START -->";
const END = "<!-- BENCH:END -->";

/** Saved results, oldest Node first: [{ major, results }]. */
function loadRuns(resultsDir) {
  if (!existsSync(resultsDir)) return [];
  return readdirSync(resultsDir)
    .map((name) => /^node-(\d+)\.json$/.exec(name))
    .filter(Boolean)
    .map(([name, major]) => ({ major: Number(major), results: JSON.parse(readFileSync(join(resultsDir, name), "utf8")) }))
    .sort((a, b) => a.major - b.major);
}

const nodeHeader = (run) => `Node ${run.results.machine.node.replace(/^v/, "")}`;

function coreTable(runs) {
  const withCore = runs.filter((r) => r.results.core?.medians);
  if (withCore.length === 0) return undefined;
  const keys = new Set(withCore.flatMap((r) => Object.keys(r.results.core.medians)));
  const labelled = CORE_ROWS.filter(([key]) => keys.has(key));
  // Variants a newer bench adds still show, under their own key.
  for (const key of keys) if (!labelled.some(([k]) => k === key)) labelled.push([key, key, undefined]);
  const rows = labelled.map(([key, label, comparison]) => [
    label,
    ...withCore.map(({ results: { core } }) => {
      const median = core.medians[key];
      if (median === undefined) return "n/a";
      const c = comparison ? core.comparisons?.[comparison] : undefined;
      return c ? `${fmtNs(median)} (${fmtAddedNs(c.addedNs)})` : fmtNs(median);
    }),
  ]);
  // The figure issue 11 sets a goal on: what a wrap adds over what a span adds.
  if (withCore.every(({ results: { core } }) => core.comparisons?.wrapped && core.comparisons?.otelSpan)) {
    rows.push([
      "added by a sync wrap ÷ added by a span",
      ...withCore.map(({ results: { core } }) => fmtRatio(core.comparisons.wrapped.addedNs / core.comparisons.otelSpan.addedNs)),
    ]);
  }
  return markdownTable(["per call (median)", ...withCore.map(nodeHeader)], rows);
}

function memoryAndImportTable(runs) {
  const rows = [];
  if (runs.some((r) => r.results.memory?.heapAtEnd !== undefined)) {
    const m = runs.find((r) => r.results.memory?.heapAtEnd !== undefined).results.memory;
    rows.push([
      `heap after ${m.checkpoint.toLocaleString("en-US")} / ${m.calls.toLocaleString("en-US")} wrapped calls`,
      ...runs.map(({ results: { memory } }) =>
        memory?.heapAtEnd !== undefined ? `${fmtBytes(memory.heapAtCheckpoint)} / ${fmtBytes(memory.heapAtEnd)}` : "n/a",
      ),
    ]);
  }
  const probes = [...new Set(runs.flatMap((r) => Object.keys(r.results.import?.probes ?? {})))];
  for (const probe of probes) {
    rows.push([`cold \`${probe}\``, ...runs.map(({ results }) => fmtMs(results.import?.probes?.[probe]?.medianMs))]);
  }
  return rows.length ? markdownTable(["memory and startup", ...runs.map(nodeHeader)], rows) : undefined;
}

function httpTable(runs, name) {
  const withPart = runs.filter((r) => r.results[name]?.variants);
  if (withPart.length === 0) return undefined;
  const variants = [...new Set(withPart.flatMap((r) => Object.keys(r.results[name].variants)))];
  const measures = "req/s; vs bare, with its 95% interval; server CPU per request: user + system; GC";
  const title = name === "express" ? `Express 5 (${measures})` : `NestJS on Express (${measures})`;
  const rows = variants.map((variant) => [
    HTTP_LABELS[name][variant] ?? variant,
    ...withPart.map(({ results }) => {
      const r = results[name].variants[variant];
      if (r === undefined) return "n/a";
      const ratio = variant === variants[0] ? fmtRatio(1) : withInterval(fmtRatio(r.ratioVsBaseline), r.ratioInterval, (x) => x.toFixed(2));
      return `${fmtRate(r.medianReqPerSec)} (${ratio}; ${fmtCpu(r)})`;
    }),
  ]);
  // How far apart the same bare app ran in separate processes: the noise floor of the ratios above.
  if (withPart.some(({ results }) => Object.values(results[name].variants)[0].processes > 1)) {
    rows.push([
      "bare, fastest ÷ slowest of its server processes",
      ...withPart.map(({ results }) => {
        const bare = Object.values(results[name].variants)[0];
        return bare.processes > 1 ? `${fmtRatio(bare.processSpread)} over ${bare.processes} processes` : "one process";
      }),
    ]);
  }
  return markdownTable([title, ...withPart.map(nodeHeader)], rows);
}

/**
 * One table row per label found in any run's rows (rows start with their
 * label), one cell per run: `cell(row)` of that run's row, or "n/a".
 */
function rowsByLabel(perRun, cell) {
  const labels = [...new Set(perRun.flatMap((rows) => rows.map(([label]) => label)))];
  return labels.map((label) => [
    label,
    ...perRun.map((rows) => {
      const row = rows.find(([l]) => l === label);
      return row === undefined ? "n/a" : cell(row);
    }),
  ]);
}

/** Every variant of an app in one process: its CPU per request and what it adds over bare (n/a where not run). */
function oneProcessTable(runs) {
  const perRun = runs.map(({ results }) => (results["one-process"]?.apps ? oneProcessRows(results["one-process"]) : []));
  const rows = rowsByLabel(perRun, ([, cpu, added, target]) =>
    added === "baseline" ? cpu : `${added}; ${cpu}${target ? `; ${target}` : ""}`,
  );
  if (rows.length === 0) return undefined;
  const title = "all variants in one process (server CPU per request added over bare, its 95% interval; the variant's own: user + system; GC)";
  return markdownTable([title, ...runs.map(nodeHeader)], rows);
}

function evidencePolicyTable(runs) {
  const perRun = runs.map(({ results }) => evidencePolicyRows(results));
  const rows = rowsByLabel(perRun, ([, value, target]) => (target ? `${value} (${target})` : value));
  if (rows.length === 0) return undefined;
  return markdownTable(["evidence and completeness", ...runs.map(nodeHeader)], rows);
}

/** The Markdown that goes between the BENCH markers. */
export function sideBySideMarkdown(runs) {
  const machine = runs[0].results.machine;
  const dates = [...new Set(runs.map((r) => r.results.machine.date.slice(0, 10)))].join(", ");
  const modes = runs.map((r) => `${nodeHeader(r)}: ${r.results.settings.mode}`).join("; ");
  const parts = [
    `Measured with \`npm run bench\` on the machine's Node and \`npm run bench -- --node <path>\` on the others, on ${machine.cpu}` +
      ` (${machine.cores} cores), ${dates} (${modes}). Medians of interleaved rounds; within one column the` +
      " variants ran side by side, so compare ratios within a column, and columns with each other only as a whole.",
    coreTable(runs),
    memoryAndImportTable(runs),
    httpTable(runs, "express"),
    httpTable(runs, "nest"),
    oneProcessTable(runs),
    evidencePolicyTable(runs),
  ];
  return parts.filter(Boolean).join("\n\n");
}

/** Prints the side-by-side tables; with `write`, replaces the BENCH block of docs/benchmarks.md. */
export function sideBySideReport({ resultsDir, docsFile, write }) {
  const runs = loadRuns(resultsDir);
  if (runs.length === 0) throw new Error(`no ${resultsDir}/node-<major>.json yet: run \`npm run bench\` (and with -- --node <path>) first`);
  const markdown = sideBySideMarkdown(runs);
  process.stdout.write(`${markdown}\n`);
  if (!write) return;
  const doc = readFileSync(docsFile, "utf8");
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${docsFile} has no ${START} … ${END} block`);
  writeFileSync(docsFile, `${doc.slice(0, start + START.length)}\n${markdown}\n${doc.slice(end)}`);
  process.stderr.write(`wrote the tables into ${docsFile}\n`);
}
