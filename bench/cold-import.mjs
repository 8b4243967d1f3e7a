import { runNode } from "./lib/child.mjs";
import { median, rotate } from "./lib/stats.mjs";

// Each probe times only the import itself, inside a fresh node process whose
// cwd is the repo root, so the specifier resolves by self-reference to dist/.
const esm = (specifier) => ({
  args: [
    "--input-type=module",
    "-e",
    `const t = performance.now(); await import(${JSON.stringify(specifier)}); console.log(performance.now() - t);`,
  ],
});
const cjs = (specifier) => ({
  args: ["-e", `const t = performance.now(); require(${JSON.stringify(specifier)}); console.log(performance.now() - t);`],
});

export const IMPORT_PROBES = [
  { name: "import intentproof", ...esm("intentproof"), target: 25 },
  { name: "require intentproof", ...cjs("intentproof") },
  { name: "import intentproof/express", ...esm("intentproof/express"), entry: "express" },
  { name: "import intentproof/nestjs", ...esm("intentproof/nestjs"), entry: "nestjs" },
  // References: what the frameworks themselves cost to load, for scale.
  { name: "import express (reference)", ...esm("express"), entry: "express" },
  { name: "import @nestjs/core (reference)", ...esm("@nestjs/core"), entry: "nestjs" },
];

/** Median wall time (ms) of each import over `runs` fresh processes, probes interleaved. */
export async function measureColdImports({ runs, probes, log }) {
  const times = Object.fromEntries(probes.map((p) => [p.name, []]));
  for (let run = 0; run < runs; run++) {
    for (const probe of rotate(probes, run)) {
      const { stdout } = await runNode(probe.args, { timeoutMs: 60_000 });
      const ms = Number(stdout.trim().split("\n").at(-1));
      if (!Number.isFinite(ms)) throw new Error(`${probe.name}: unexpected output ${JSON.stringify(stdout)}`);
      times[probe.name].push(ms);
    }
  }
  const result = {};
  for (const probe of probes) {
    result[probe.name] = { medianMs: median(times[probe.name]), runsMs: times[probe.name] };
    log(`  ${probe.name.padEnd(28)} median ${result[probe.name].medianMs.toFixed(2)} ms`);
  }
  return result;
}
