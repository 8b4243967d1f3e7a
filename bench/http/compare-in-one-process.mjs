import { load } from "./load.mjs";
import { measuredSlice, mirroredRound } from "./round.mjs";
import { startServer } from "./server-process.mjs";
import { median, medianInterval, rotate } from "../lib/stats.mjs";

/** The full bench's settings for compareInOneProcess (bench/one-process.mjs starts from them too). */
export const ONE_PROCESS_SETTINGS = { processes: 3, rounds: 8, durationSec: 1, warmupSec: 8 };

/**
 * Server CPU per request of several variants served by one process, each
 * variant its own app on its own port: a second view of what recording costs,
 * beside `compareThroughput`'s one process per variant.
 *
 * Why: identical servers in separate processes differ by up to 10 µs of CPU
 * per request for their whole life on this host (see compareThroughput), as
 * much as the goal being measured. Here the variants share the process, so
 * that luck is the same for all of them, and each round's cost over the
 * baseline is taken against the baseline's round in the same process and
 * round. What they also share, and what this view therefore does not
 * separate: the JIT's code for Express or Nest, and the heap (the baseline's
 * garbage collection runs beside the events the others keep).
 *
 * Each of `processes` processes serves every variant; each variant is warmed
 * up, then loaded twice per round in mirrored order (see mirroredRound;
 * which goes first rotates). `variants[0]` is the baseline.
 */
export async function compareInOneProcess({ script, variants, rounds, processes, durationSec, warmupSec, log }) {
  const runs = Object.fromEntries(variants.map((v) => [v, []]));
  const added = Object.fromEntries(variants.map((v) => [v, []]));
  // What the recording apps kept, per process, and the last event: proof they recorded.
  const eventsKept = [];
  let lastEvent;
  for (let p = 0; p < processes; p++) {
    const server = await startServer(script, variants.join(","));
    try {
      for (const variant of variants) await load(server.urls[variant], { durationSec: warmupSec });
      for (let round = 0; round < rounds; round++) {
        const combined = await mirroredRound(rotate(variants, round), (variant) =>
          measuredSlice(server, server.urls[variant], durationSec),
        );
        const cpu = (variant) => combined.get(variant).cpuUsPerRequest;
        for (const variant of variants) {
          runs[variant].push(combined.get(variant));
          added[variant].push(cpu(variant) - cpu(variants[0]));
        }
        log(
          `  process ${p + 1}/${processes} round ${round + 1}/${rounds} CPU µs/request: ` +
            variants.map((v) => `${v} ${cpu(v).toFixed(1)}`).join(", "),
        );
      }
      eventsKept.push((await server.stats()).events);
      lastEvent = await server.lastEvent();
    } finally {
      await server.stop();
    }
  }
  const byVariant = Object.fromEntries(
    variants.map((variant) => [
      variant,
      {
        medianCpuUsPerRequest: median(runs[variant].map((r) => r.cpuUsPerRequest)),
        medianUserCpuUsPerRequest: median(runs[variant].map((r) => r.userCpuUsPerRequest)),
        medianSystemCpuUsPerRequest: median(runs[variant].map((r) => r.systemCpuUsPerRequest)),
        medianGcUsPerRequest: median(runs[variant].map((r) => r.gcUsPerRequest)),
        // Median over rounds of (this variant's CPU/request − the baseline's, same process and round).
        medianAddedCpuUsPerRequest: median(added[variant]),
        addedCpuInterval: medianInterval(added[variant]),
        addedCpuUsPerRequest: added[variant],
        medianReqPerSec: median(runs[variant].map((r) => r.reqPerSec)),
        failedRequests: runs[variant].reduce((n, r) => n + r.failed, 0),
      },
    ]),
  );
  return { variants: byVariant, eventsKept: Math.min(...eventsKept), lastEventStatus: lastEvent?.status };
}
