import { load } from "./load.mjs";
import { startServer } from "./server-process.mjs";
import { median, rotate } from "../lib/stats.mjs";

/**
 * Throughput of several variants of one app. All variants run side by side in
 * their own processes; each round loads every variant once (rotating which
 * goes first), after a warm-up run per variant, and the median req/s per
 * variant is kept. `variants[0]` is the baseline of the ratios.
 */
export async function compareThroughput({ script, variants, rounds, durationSec, warmupSec, log }) {
  const servers = [];
  try {
    for (const variant of variants) servers.push(await startServer(script, variant));
    for (const server of servers) {
      log(`  warm-up ${server.variant} (${warmupSec}s)`);
      await load(server.url, { durationSec: warmupSec });
    }
    const runs = Object.fromEntries(variants.map((v) => [v, []]));
    for (let round = 0; round < rounds; round++) {
      for (const server of rotate(servers, round)) {
        // Server CPU time per request: unlike req/s it barely moves when other
        // processes compete for the cores, so it backs up the throughput ratio.
        const before = (await server.stats()).cpu;
        const run = await load(server.url, { durationSec });
        const after = (await server.stats()).cpu;
        run.cpuUsPerRequest = (after.user + after.system - before.user - before.system) / Math.max(1, run.total);
        runs[server.variant].push(run);
        log(
          `  round ${round + 1}/${rounds} ${server.variant.padEnd(12)} ${run.reqPerSec.toFixed(0).padStart(7)} req/s` +
            (run.non2xx || run.errors || run.timeouts
              ? `  (non-2xx ${run.non2xx}, errors ${run.errors}, timeouts ${run.timeouts})`
              : ""),
        );
      }
    }
    const stats = {};
    for (const server of servers) stats[server.variant] = await server.stats();
    const baseline = median(runs[variants[0]].map((r) => r.reqPerSec));
    const baselineCpu = median(runs[variants[0]].map((r) => r.cpuUsPerRequest));
    const result = {};
    for (const variant of variants) {
      const rates = runs[variant].map((r) => r.reqPerSec);
      const med = median(rates);
      result[variant] = {
        medianReqPerSec: med,
        ratioVsBaseline: med / baseline,
        // Same-round ratios pair runs taken close in time; their median resists slow drift.
        // Baseline CPU per request over this variant's: comparable to the req/s ratio.
        cpuRatioVsBaseline: baselineCpu / median(runs[variant].map((r) => r.cpuUsPerRequest)),
        medianSameRoundRatio: median(rates.map((rate, round) => rate / runs[variants[0]][round].reqPerSec)),
        runsReqPerSec: rates,
        medianCpuUsPerRequest: median(runs[variant].map((r) => r.cpuUsPerRequest)),
        medianLatencyP50Ms: median(runs[variant].map((r) => r.latencyP50Ms)),
        medianLatencyP99Ms: median(runs[variant].map((r) => r.latencyP99Ms)),
        failedRequests: runs[variant].reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0),
        eventsKept: stats[variant].events,
        lastEventStatus: stats[variant].lastEvent?.status,
        lastEventAction: stats[variant].lastEvent?.action,
      };
    }
    return result;
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}
