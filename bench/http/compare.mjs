import { load } from "./load.mjs";
import { measuredSlice, mirroredRound } from "./round.mjs";
import { startServer } from "./server-process.mjs";
import { median, medianInterval, rotate } from "../lib/stats.mjs";

/**
 * Throughput of several variants of one app. Every round loads every variant
 * twice, in mirrored order (see mirroredRound; which goes first rotates);
 * `variants[0]` is the baseline. A variant's ratio is the median over rounds
 * of its req/s over the baseline's in the same round: rounds are paired, so
 * what the host did during a round weighs on both sides of its ratio.
 *
 * Each variant's rounds are spread over `processes` server processes, each
 * started and warmed up before its first round and stopped after its last:
 * two processes running the same app can differ for their whole life
 * (memory placement, what the JIT decided early), a bias that more rounds
 * against the same process never average out. The warm-up must be long: a
 * recorded route's server was still getting faster 6–10 s into its life on
 * Node 20. `processSpread` (the baseline's fastest process over its slowest,
 * by median req/s) shows how large the bias and the host's swings were.
 */
export async function compareThroughput({ script, variants, rounds, processes, durationSec, warmupSec, log }) {
  const perVariant = Math.max(1, Math.min(processes, rounds));
  const live = new Set();
  const servers = Object.fromEntries(variants.map((v) => [v, []]));
  const finalStats = Object.fromEntries(variants.map((v) => [v, []]));
  const runs = Object.fromEntries(variants.map((v) => [v, []]));
  const serverFor = async (variant, slot) => {
    let server = servers[variant][slot];
    if (server === undefined) {
      server = await startServer(script, variant);
      servers[variant][slot] = server;
      live.add(server);
      await load(server.url, { durationSec: warmupSec });
    }
    return server;
  };
  try {
    for (let round = 0; round < rounds; round++) {
      const slot = round % perVariant;
      const order = rotate(variants, round);
      // Every server of the round is up and warm before its first slice.
      for (const variant of order) await serverFor(variant, slot);
      const combined = await mirroredRound(order, (variant) => {
        const server = servers[variant][slot];
        return measuredSlice(server, server.url, durationSec);
      });
      for (const variant of order) {
        const run = { ...combined.get(variant), process: slot };
        runs[variant].push(run);
        log(
          `  round ${round + 1}/${rounds} ${variant.padEnd(12)} process ${slot + 1} ${run.reqPerSec.toFixed(0).padStart(7)} req/s` +
            ` ${run.cpuUsPerRequest.toFixed(1).padStart(6)} µs/req` +
            (run.failed ? `  (${run.failed} failed: non-2xx, errors or timeouts)` : ""),
        );
      }
      if (round + perVariant >= rounds) {
        for (const variant of order) {
          const server = servers[variant][slot];
          finalStats[variant].push({ ...(await server.stats()), lastEvent: await server.lastEvent() });
          live.delete(server);
          await server.stop();
        }
      }
    }
  } finally {
    await Promise.all([...live].map((s) => s.stop()));
  }
  const baselineRuns = runs[variants[0]];
  const sameRound = (variant, pick) => runs[variant].map((run, round) => pick(run, baselineRuns[round]));
  const result = {};
  for (const variant of variants) {
    const rates = runs[variant].map((r) => r.reqPerSec);
    const stats = finalStats[variant];
    const ratios = sameRound(variant, (run, base) => run.reqPerSec / base.reqPerSec);
    const addedCpu = sameRound(variant, (run, base) => run.cpuUsPerRequest - base.cpuUsPerRequest);
    result[variant] = {
      medianReqPerSec: median(rates),
      ratioVsBaseline: median(ratios),
      // 95% confidence interval of that median (see medianInterval).
      ratioInterval: medianInterval(ratios),
      // Baseline CPU per request over this variant's: comparable to the req/s ratio.
      cpuRatioVsBaseline: median(sameRound(variant, (run, base) => base.cpuUsPerRequest / run.cpuUsPerRequest)),
      medianAddedCpuUsPerRequest: median(addedCpu),
      addedCpuInterval: medianInterval(addedCpu),
      // The ratio of the medians, unpaired: what a design without pairing would report.
      ratioOfMedians: median(rates) / median(baselineRuns.map((r) => r.reqPerSec)),
      processes: perVariant,
      processSpread: spreadOverProcesses(runs[variant], perVariant),
      runsReqPerSec: rates,
      // Per round, for pooling several runs (node bench/pool.mjs).
      sameRoundRatios: ratios,
      addedCpuUsPerRound: addedCpu,
      medianCpuUsPerRequest: median(runs[variant].map((r) => r.cpuUsPerRequest)),
      medianUserCpuUsPerRequest: median(runs[variant].map((r) => r.userCpuUsPerRequest)),
      medianSystemCpuUsPerRequest: median(runs[variant].map((r) => r.systemCpuUsPerRequest)),
      medianGcUsPerRequest: median(runs[variant].map((r) => r.gcUsPerRequest)),
      medianLatencyP50Ms: median(runs[variant].map((r) => r.latencyP50Ms)),
      medianLatencyP99Ms: median(runs[variant].map((r) => r.latencyP99Ms)),
      failedRequests: runs[variant].reduce((n, r) => n + r.failed, 0),
      // The fewest events any of the variant's processes kept.
      eventsKept: Math.min(...stats.map((s) => s.events)),
      lastEventStatus: stats.at(-1)?.lastEvent?.status,
      lastEventAction: stats.at(-1)?.lastEvent?.action,
    };
  }
  return result;
}

/** The fastest process's median req/s over the slowest's (1 with one process). */
function spreadOverProcesses(runs, processes) {
  const medians = [];
  for (let p = 0; p < processes; p++) medians.push(median(runs.filter((r) => r.process === p).map((r) => r.reqPerSec)));
  return Math.max(...medians) / Math.min(...medians);
}
