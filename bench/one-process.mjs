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
import { compareInOneProcess, ONE_PROCESS_SETTINGS } from "./http/compare-in-one-process.mjs";
import { BENCH_APPS, benchAppName } from "./lib/apps.mjs";
import { countFlag, readCommandLine, variantsFlag } from "./lib/flags.mjs";
import { median, medianInterval } from "./lib/stats.mjs";
import { fmtAddedUs, textTable, withInterval } from "./lib/table.mjs";

const USAGE = "usage: node bench/one-process.mjs express|nest --variants bare,a,b,… [--rounds N] [--processes N]\n";
const { appName, variants, rounds, processes } = readCommandLine(
  USAGE,
  { allowPositionals: true, options: { variants: { type: "string" }, rounds: { type: "string" }, processes: { type: "string" } } },
  (flags, positionals) => {
    const appName = benchAppName(positionals);
    if (flags.variants === undefined) throw new Error("--variants is required");
    return {
      appName,
      variants: variantsFlag(flags),
      rounds: countFlag(flags, "rounds", ONE_PROCESS_SETTINGS.rounds),
      processes: countFlag(flags, "processes", ONE_PROCESS_SETTINGS.processes),
    };
  },
);
const log = (message) => process.stderr.write(`${message}\n`);

const result = await compareInOneProcess({ ...ONE_PROCESS_SETTINGS, script: await BENCH_APPS[appName](log), variants, rounds, processes, log });
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
