import { load } from "./load.mjs";
import { measuredRound } from "./round.mjs";
import { startServer } from "./server-process.mjs";
import { median, rotate } from "../lib/stats.mjs";

/**
 * Throughput of several variants of one app. Every round loads every variant
 * once (rotating which goes first); `variants[0]` is the baseline of the
 * ratios, and the medians over all rounds are kept.
 *
 * Each variant's rounds are spread over `processes` server processes, each
 * started and warmed up before its first round and stopped after its last.
 * Why: two processes running the same app on this kind of host differed by
 * up to 9% in req/s and 10 µs in CPU per request for their whole life
 * (memory placement, what the JIT decided early), a bias that more rounds
 * against the same process never average out. The warm-up must be long: a
 * recorded route's server was still getting faster 6–10 s into its life on
 * Node 20. `processSpread` (the baseline's fastest process over its slowest,
 * by median req/s) shows how large the bias was in the run.
 */
export async function compareThroughput({ script, variants, rounds, processes, durationSec, warmupSec, log }) {
  const perVariant = Math.max(1, Math.min(processes, rounds));
  const live = new Set();
  const servers = Object.fromEntries(variants.map((v) => [v, []]));
  const finalStats = Object.fromEntries(variants.map((v) => [v, []]));
  const runs = Object.fromEntries(variants.map((v) => [v, []]));
  try {
    for (let round = 0; round < rounds; round++) {
      const slot = round % perVariant;
      const lastRoundOfProcess = round + perVariant >= rounds;
      for (const variant of rotate(variants, round)) {
        let server = servers[variant][slot];
        if (server === undefined) {
          server = await startServer(script, variant);
          servers[variant][slot] = server;
          live.add(server);
          await load(server.url, { durationSec: warmupSec });
        }
        const { run, stats } = await measuredRound(server, server.url, durationSec);
        run.process = slot;
        runs[variant].push(run);
        log(
          `  round ${round + 1}/${rounds} ${variant.padEnd(12)} process ${slot + 1} ${run.reqPerSec.toFixed(0).padStart(7)} req/s` +
            (run.non2xx || run.errors || run.timeouts
              ? `  (non-2xx ${run.non2xx}, errors ${run.errors}, timeouts ${run.timeouts})`
              : ""),
        );
        if (lastRoundOfProcess) {
          finalStats[variant].push({ ...stats, lastEvent: await server.lastEvent() });
          live.delete(server);
          await server.stop();
        }
      }
    }
  } finally {
    await Promise.all([...live].map((s) => s.stop()));
  }
  const baselineRuns = runs[variants[0]];
  const baseline = median(baselineRuns.map((r) => r.reqPerSec));
  const baselineCpu = median(baselineRuns.map((r) => r.cpuUsPerRequest));
  const result = {};
  for (const variant of variants) {
    const rates = runs[variant].map((r) => r.reqPerSec);
    const med = median(rates);
    const stats = finalStats[variant];
    result[variant] = {
      medianReqPerSec: med,
      ratioVsBaseline: med / baseline,
      // Baseline CPU per request over this variant's: comparable to the req/s ratio.
      cpuRatioVsBaseline: baselineCpu / median(runs[variant].map((r) => r.cpuUsPerRequest)),
      // Same-round ratios pair runs taken close in time; their median resists slow drift.
      medianSameRoundRatio: median(rates.map((rate, round) => rate / baselineRuns[round].reqPerSec)),
      processes: perVariant,
      processSpread: spreadOverProcesses(runs[variant], perVariant),
      runsReqPerSec: rates,
      medianCpuUsPerRequest: median(runs[variant].map((r) => r.cpuUsPerRequest)),
      medianUserCpuUsPerRequest: median(runs[variant].map((r) => r.userCpuUsPerRequest)),
      medianSystemCpuUsPerRequest: median(runs[variant].map((r) => r.systemCpuUsPerRequest)),
      medianGcUsPerRequest: median(runs[variant].map((r) => r.gcUsPerRequest)),
      medianLatencyP50Ms: median(runs[variant].map((r) => r.latencyP50Ms)),
      medianLatencyP99Ms: median(runs[variant].map((r) => r.latencyP99Ms)),
      failedRequests: runs[variant].reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0),
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
