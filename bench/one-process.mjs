// What each variant of an app adds to the server CPU of a request, all of
// them served by one process (the bench's one-process view, for any list of
// variants), and what each adds over the one listed before it:
//
//   node bench/one-process.mjs express|nest --variants bare,a,b,… [--rounds N] [--processes N]
//
// The first variant is the baseline. "b over a" is taken round by round (the
// same process and round), so the steps of a chain of variants (a route with
// one, two, four wrapped calls) are resolved as finely as the whole. Run with
// Node 24: before it, the first AsyncLocalStorage switches promise hooks on
// for every app of the process (see run.mjs).
import { parseArgs } from "node:util";
import { compareInOneProcess } from "./http/compare-in-one-process.mjs";
import { BENCH_APPS } from "./lib/apps.mjs";
import { countFlag, variantsFlag } from "./lib/flags.mjs";
import { median, medianInterval } from "./lib/stats.mjs";
import { fmtAddedUs, textTable, withInterval } from "./lib/table.mjs";

const USAGE = "usage: node bench/one-process.mjs express|nest --variants bare,a,b,… [--rounds N] [--processes N]\n";
const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    variants: { type: "string" },
    rounds: { type: "string" },
    processes: { type: "string" },
    help: { type: "boolean", default: false },
  },
});
if (flags.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (positionals.length !== 1 || !Object.hasOwn(BENCH_APPS, positionals[0]) || flags.variants === undefined) {
  process.stderr.write(USAGE);
  process.exit(2);
}
const [variants, rounds, processes] = (() => {
  try {
    return [variantsFlag(flags), countFlag(flags, "rounds", 8), countFlag(flags, "processes", 3)];
  } catch (error) {
    process.stderr.write(`${error.message}\n${USAGE}`);
    process.exit(2);
  }
})();
const log = (message) => process.stderr.write(`${message}\n`);

const result = await compareInOneProcess({
  script: await BENCH_APPS[positionals[0]](log),
  variants,
  rounds,
  processes,
  durationSec: 1,
  warmupSec: 8,
  log,
});
const addedOf = (variant) => result.variants[variant].addedCpuUsPerRequest;
const cell = (values) => withInterval(fmtAddedUs(median(values)), medianInterval(values), (x) => x.toFixed(1));
const rows = variants.slice(1).map((variant, i) => {
  const previous = variants[i];
  const overPrevious = addedOf(variant).map((us, round) => us - addedOf(previous)[round]);
  return [variant, result.variants[variant].medianCpuUsPerRequest.toFixed(1), cell(addedOf(variant)), i === 0 ? "" : `${cell(overPrevious)} over ${previous}`];
});
const header = ["variant", "CPU µs/request", `added over ${variants[0]}`, "added over the variant before"];
process.stdout.write(
  `${processes} processes × ${rounds} rounds on Node ${process.versions.node}; medians over rounds, 95% intervals; ` +
    `${variants[0]}: ${result.variants[variants[0]].medianCpuUsPerRequest.toFixed(1)} µs/request\n` +
    `${textTable(header, rows)}\n`,
);
