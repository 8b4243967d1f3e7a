// Micro benchmark of the serializer's common case: ns per `snapshotValue`
// call for a few everyday values. Each argument is a directory holding a
// compiled copy of src/ (`node node_modules/typescript/bin/tsc -p tsconfig.json
// --outDir .tmp/snapdist`); giving two (say, a build from before a change and
// one from after) compares them in one process, rounds interleaved and the
// starting build rotated, so machine noise hits both alike. Prints the median
// per case and build.
//
//   node bench/snapshot-micro.mjs .tmp/snapdist-before .tmp/snapdist
import { parseArgs } from "node:util";
import { basename, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { median, rotate } from "./lib/stats.mjs";

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    iterations: { type: "string", default: "200000" },
    rounds: { type: "string", default: "15" },
  },
});
const ITERATIONS = Number(flags.iterations);
const ROUNDS = Number(flags.rounds);
const dirs = positionals.length > 0 ? positionals : [".tmp/snapdist"];

function nested() {
  return {
    id: "ord_1",
    customer: { id: "cus_1", email: "a@example.com" },
    amount: { cents: 4999, currency: "EUR" },
    paid: true,
    note: null,
    tags: ["a", "b"],
    createdAt: "2024-01-01T00:00:00.000Z",
    items: 3,
    discount: 0,
  };
}

const CASES = [
  ["number", () => 4999],
  ["short string", () => "order o1"],
  ["{ orderId, amountCents }", () => ({ orderId: "o1", amountCents: 4999 })],
  ["10-key nested object", nested],
  ["array of 20 small objects", () => Array.from({ length: 20 }, (_, i) => ({ id: `item_${i}`, qty: i, ok: true }))],
  ["{ orderId, amountCents } + redactKeys", () => ({ orderId: "o1", amountCents: 4999 }), { redactKeys: ["password", "authorization"] }],
];

const builds = [];
for (const dir of dirs) {
  const module = await import(pathToFileURL(resolve(dir, "core/snapshot.js")).href);
  builds.push({ name: basename(dir), module });
}

// One loop function per build and case, so each keeps its own type feedback
// and no build's shapes slow down another's call site. The source differs per
// loop: V8 shares compiled code (and its feedback) between identical sources.
let loops = 0;
function makeLoop() {
  return new Function(
    "snapshotValue",
    "value",
    "options",
    "n",
    `// loop ${loops++}
     let last;
     const start = process.hrtime.bigint();
     for (let i = 0; i < n; i++) last = snapshotValue(value, options);
     const ns = Number(process.hrtime.bigint() - start) / n;
     return [ns, last];`,
  );
}

const runs = [];
for (const [label, make, options] of CASES) {
  for (const build of builds) {
    const resolved = options
      ? build.module.resolveSerializeOptions(options, "bench")
      : build.module.DEFAULT_SERIALIZE_OPTIONS;
    runs.push({ label, build: build.name, loop: makeLoop(), fn: build.module.snapshotValue, value: make(), resolved, samples: [] });
  }
}

// Every build must produce the same copies, or the comparison means nothing.
for (const run of runs) {
  const reference = runs.find((other) => other.label === run.label);
  const a = JSON.stringify(reference.fn(reference.value, reference.resolved));
  const b = JSON.stringify(run.fn(run.value, run.resolved));
  if (a !== b) throw new Error(`${run.build} differs on ${run.label}: ${a} vs ${b}`);
}

for (const run of runs) run.loop(run.fn, run.value, run.resolved, ITERATIONS); // warm-up
for (let round = 0; round < ROUNDS; round++) {
  for (const [label] of CASES) {
    const group = rotate(runs.filter((run) => run.label === label), round);
    for (const run of group) run.samples.push(run.loop(run.fn, run.value, run.resolved, ITERATIONS)[0]);
  }
}

const rows = [];
for (const [label] of CASES) {
  const row = { case: label };
  for (const run of runs.filter((r) => r.label === label)) row[`${run.build} ns`] = Number(median(run.samples).toFixed(1));
  rows.push(row);
}
console.table(rows);
