// Evidence figures (issue 13 item 9), on the BUILT package:
//   node bench/evidence/evidence-bench.mjs [--quick] [--only caller,throughput,loop,slowdisk]
//
//  caller     ns per wrapped call on the caller's path: MemoryExporter only vs
//             MemoryExporter + EvidenceExporter, each in its own processes
//             (alternated). Calls are timed in bursts of 256; between bursts
//             (untimed) flush() lets the exporter seal and write what the
//             burst queued; garbage it leaves is paid in the next burst, as
//             in a real server. Both variants then idle IDLE_MS before the
//             next burst: the evidence flush waits for the disk, and a burst
//             that starts from idle runs slower (cold caches) than one that
//             follows straight on, which the MemoryExporter-only variant
//             would otherwise always do. Also: both clients in one process,
//             bursts alternated, the median of the per-pair differences
//             (less exposed to the load of a shared machine).
//  throughput sealed + signed + durably logged events per second, sustained:
//             N events through wrap, then flush() (fsync "batch").
//  loop       added p99 event-loop delay at 5,000 events/s for a few seconds.
//  slowdisk   memory stays bounded when the disk cannot keep up: maxBacklog
//             refuses the excess (counted as drops) instead of growing.
// Prints one JSON object. Quick relative figures; say the machine's load.
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { createIntentProofClient, EvidenceExporter, MemoryExporter } from "intentproof";
import { createRefund, inputs, INPUT_MASK, WRAP_OPTIONS } from "../core/workload.mjs";

const { values: flags } = parseArgs({
  options: { quick: { type: "boolean", default: false }, only: { type: "string" }, "caller-variant": { type: "string" } },
});
const only = flags.only ? flags.only.split(",") : ["caller", "throughput", "loop", "slowdisk"];
const quick = flags.quick;
const dirs = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "ip-evidence-bench-"));
  dirs.push(dir);
  return dir;
};
const tick = () => new Promise((resolve) => setImmediate(resolve));
const IDLE_MS = 5;
const idle = () => new Promise((resolve) => setTimeout(resolve, IDLE_MS));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// One variant in one process, so neither variant pays the other's garbage:
// median ns per call over bursts, each burst followed (untimed) by flush().
async function callerVariant(variant) {
  // Short bursts, as a server sees them: the queue holds a few hundred events
  // between turns of the event loop, not thousands.
  const BURST = 256;
  const ROUNDS = quick ? 80 : 300;
  const exporters = [new MemoryExporter()];
  if (variant === "evidence") exporters.push(new EvidenceExporter({ directory: tempDir(), tenantId: "bench", maxBacklog: BURST * 4 }));
  await exporters[1]?.ready();
  const client = createIntentProofClient({ exporters });
  const wrapped = client.wrap(WRAP_OPTIONS, createRefund);
  const perRound = [];
  let sink = 0;
  for (let round = 0; round < ROUNDS + 10; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < BURST; i++) sink += wrapped(inputs[(round * BURST + i) & INPUT_MASK]).amountCents;
    const ns = Number(process.hrtime.bigint() - t0) / BURST;
    if (round >= 10) perRound.push(ns); // the first rounds warm the JIT
    await client.flush();
    await idle();
  }
  // The exporter's own share of the caller's path: export() alone, on a recorded event.
  let exportNs;
  if (variant === "evidence") {
    const event = exporters[0].getEvents().at(-1);
    const perBurst = [];
    for (let round = 0; round < ROUNDS; round++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < BURST; i++) exporters[1].export(event);
      perBurst.push(Number(process.hrtime.bigint() - t0) / BURST);
      await client.flush();
    }
    exportNs = +median(perBurst).toFixed(1);
  }
  const dropped = exporters[1]?.stats().dropped ?? 0;
  await client.shutdown();
  return { variant, nsPerCall: +median(perRound).toFixed(1), exportNs, dropped, sink };
}

// Both variants in one process, bursts alternated (which goes first swaps
// each round), each burst followed by its own client's flush() and the same
// idle time: the median over rounds of (evidence burst - memory burst).
async function callerPaired() {
  const BURST = 256;
  const ROUNDS = quick ? 100 : 400;
  const evidence = new EvidenceExporter({ directory: tempDir(), tenantId: "bench", maxBacklog: BURST * 4 });
  await evidence.ready();
  const clients = {
    memory: createIntentProofClient({ exporters: [new MemoryExporter()] }),
    evidence: createIntentProofClient({ exporters: [new MemoryExporter(), evidence] }),
  };
  const wrapped = { memory: clients.memory.wrap(WRAP_OPTIONS, createRefund), evidence: clients.evidence.wrap(WRAP_OPTIONS, createRefund) };
  const ns = { memory: [], evidence: [] };
  let sink = 0;
  for (let round = 0; round < ROUNDS + 10; round++) {
    for (const variant of round % 2 === 0 ? ["memory", "evidence"] : ["evidence", "memory"]) {
      const call = wrapped[variant];
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < BURST; i++) sink += call(inputs[(round * BURST + i) & INPUT_MASK]).amountCents;
      if (round >= 10) ns[variant].push(Number(process.hrtime.bigint() - t0) / BURST);
      await clients[variant].flush();
      await idle();
    }
  }
  if (evidence.stats().dropped !== 0) throw new Error(`paired caller bench dropped ${evidence.stats().dropped} events`);
  for (const client of Object.values(clients)) await client.shutdown();
  return {
    nsPerCallMemory: +median(ns.memory).toFixed(1),
    nsPerCallMemoryPlusEvidence: +median(ns.evidence).toFixed(1),
    medianAddedNsPerCall: +median(ns.evidence.map((e, i) => e - ns.memory[i])).toFixed(1),
    sink: sink & 1,
  };
}

async function callerCost() {
  const { execFileSync } = await import("node:child_process");
  const script = new URL(import.meta.url).pathname;
  const runs = { memory: [], evidence: [] };
  // Alternate the variants, several processes each, so load changes hit both alike.
  for (let i = 0; i < (quick ? 3 : 5); i++) {
    for (const variant of i % 2 === 0 ? ["memory", "evidence"] : ["evidence", "memory"]) {
      const out = execFileSync(process.execPath, [script, "--caller-variant", variant, ...(quick ? ["--quick"] : [])], { encoding: "utf8" });
      const result = JSON.parse(out);
      if (result.dropped !== 0) throw new Error(`caller bench dropped ${result.dropped} events`);
      runs[variant].push(result.nsPerCall);
      if (result.exportNs !== undefined) (runs.exportOnly ??= []).push(result.exportNs);
    }
  }
  const memory = median(runs.memory);
  const evidence = median(runs.evidence);
  return {
    nsPerCallMemory: runs.memory,
    nsPerCallMemoryPlusEvidence: runs.evidence,
    medianAddedNsPerCall: +(evidence - memory).toFixed(1),
    evidenceExportOnlyNs: runs.exportOnly,
    idleMsBetweenBursts: IDLE_MS,
    sameProcess: await callerPaired(),
  };
}

async function throughput() {
  const N = quick ? 20_000 : 60_000;
  const evidence = new EvidenceExporter({ directory: tempDir(), tenantId: "bench", maxBacklog: N + 1 });
  await evidence.ready();
  const client = createIntentProofClient({ exporters: [evidence] });
  const wrapped = client.wrap(WRAP_OPTIONS, createRefund);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    client.withCorrelation(`order-${i % 500}`, () => wrapped(inputs[i & INPUT_MASK]));
    if (i % 1000 === 999) await tick();
  }
  await client.flush();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const stats = evidence.stats();
  await client.shutdown();
  return { events: N, seconds: +seconds.toFixed(3), eventsPerSecond: Math.round(stats.written / seconds), written: stats.written, dropped: stats.dropped, checkpoints: stats.checkpoints };
}

async function loopDelay(withEvidence) {
  const RATE = 5000;
  const SECONDS = quick ? 2 : 4;
  const exporters = withEvidence ? [new EvidenceExporter({ directory: tempDir(), tenantId: "bench" })] : [new MemoryExporter()];
  await exporters[0].ready?.();
  const client = createIntentProofClient({ exporters });
  const wrapped = client.wrap(WRAP_OPTIONS, createRefund);
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const start = Date.now();
  let sent = 0;
  await new Promise((resolve) => {
    const timer = setInterval(() => {
      const due = Math.floor(((Date.now() - start) / 1000) * RATE);
      while (sent < due) wrapped(inputs[sent++ & INPUT_MASK]);
      if (Date.now() - start >= SECONDS * 1000) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  histogram.disable();
  await client.shutdown();
  return { events: sent, p50Ms: +(histogram.percentile(50) / 1e6).toFixed(2), p99Ms: +(histogram.percentile(99) / 1e6).toFixed(2), maxMs: +(histogram.max / 1e6).toFixed(2) };
}

async function slowDisk() {
  // A burst far larger than the backlog, faster than any disk: the backlog caps memory.
  const MAX_BACKLOG = 2000;
  const BURST = quick ? 50_000 : 200_000;
  const evidence = new EvidenceExporter({ directory: tempDir(), tenantId: "bench", maxBacklog: MAX_BACKLOG, onError: () => undefined });
  await evidence.ready();
  const client = createIntentProofClient({ exporters: [evidence], onExporterError: () => undefined });
  const wrapped = client.wrap(WRAP_OPTIONS, createRefund);
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let maxBacklog = 0;
  for (let i = 0; i < BURST; i++) {
    wrapped(inputs[i & INPUT_MASK]);
    if (i % 1000 === 0) maxBacklog = Math.max(maxBacklog, evidence.stats().backlog);
  }
  const heapAfterBurst = process.memoryUsage().heapUsed;
  await client.shutdown().catch(() => undefined);
  const stats = evidence.stats();
  return { burst: BURST, maxBacklog: MAX_BACKLOG, observedMaxBacklog: maxBacklog, dropped: stats.dropped, written: stats.written, heapGrowthMB: +((heapAfterBurst - heapBefore) / 1e6).toFixed(1) };
}

if (flags["caller-variant"] !== undefined) {
  try {
    console.log(JSON.stringify(await callerVariant(flags["caller-variant"])));
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}

const result = { node: process.version, loadavg: loadavg().map((l) => +l.toFixed(2)), quick };
try {
  if (only.includes("caller")) result.caller = await callerCost();
  if (only.includes("throughput")) result.throughput = await throughput();
  if (only.includes("loop")) {
    const baseline = await loopDelay(false);
    const evidence = await loopDelay(true);
    result.loop = { rate: 5000, baseline, evidence, addedP99Ms: +(evidence.p99Ms - baseline.p99Ms).toFixed(2) };
  }
  if (only.includes("slowdisk")) result.slowDisk = await slowDisk();
} finally {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}
// One line: `npm run bench` reads the last line of stdout.
console.log(JSON.stringify(result));
