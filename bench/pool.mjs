// Pools the HTTP rounds of several bench runs (saved results files, e.g.
// copies of bench/results/node-24.json): one run cannot resolve a few
// percent on a noisy host, the rounds of several runs together can.
//
//   node bench/pool.mjs <results.json> <results.json> ...
//
// Prints, per variant, the median over all the runs' rounds of its req/s
// over bare's in the same round and of the server CPU per request it adds
// (separate processes, and all variants in one process), each with its 95%
// confidence interval and the number of rounds.
import { readFileSync } from "node:fs";
import { HTTP_LABELS } from "./lib/report.mjs";
import { median, medianInterval } from "./lib/stats.mjs";
import { fmtAddedUs, fmtRatio, textTable, withInterval } from "./lib/table.mjs";

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write("usage: node bench/pool.mjs <results.json> <results.json> ...\n");
  process.exit(2);
}
const runs = files.map((file) => JSON.parse(readFileSync(file, "utf8")));

/** Every run's per-round values of `pick(variant result)`, the variant's app result taken by `appOf(run)`, concatenated. */
function pooled(appOf, variant, pick) {
  return runs.flatMap((run) => pick(appOf(run)?.variants?.[variant]) ?? []);
}

function summary(values, format, digits) {
  if (values.length === 0) return "n/a";
  return `${withInterval(format(median(values)), medianInterval(values), (x) => x.toFixed(digits))}, ${values.length} rounds`;
}

const rows = [];
for (const app of ["express", "nest"]) {
  const separateProcesses = (run) => run[app];
  const oneProcess = (run) => run["one-process"]?.apps?.[app];
  for (const variant of Object.keys(HTTP_LABELS[app]).slice(1)) {
    rows.push([
      HTTP_LABELS[app][variant],
      summary(pooled(separateProcesses, variant, (r) => r?.sameRoundRatios), (x) => fmtRatio(x, 3), 3),
      summary(pooled(separateProcesses, variant, (r) => r?.addedCpuUsPerRound), fmtAddedUs, 1),
      summary(pooled(oneProcess, variant, (r) => r?.addedCpuUsPerRequest), fmtAddedUs, 1),
    ]);
  }
}
const nodes = [...new Set(runs.map((run) => run.machine?.node))].join(", ");
process.stdout.write(`${runs.length} runs (${nodes}), rounds pooled; medians with their 95% intervals\n`);
process.stdout.write(`${textTable(["variant", "req/s vs bare, same round", "CPU added, separate processes", "CPU added, one process"], rows)}\n`);
