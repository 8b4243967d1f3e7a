import { load } from "./load.mjs";

/**
 * One measured slice: `url` (served by `server`'s process) loaded for
 * `durationSec`, with the process's CPU time and garbage-collection pauses
 * over the slice. Server CPU per request barely moves when other processes
 * compete for the cores, so it backs up the throughput figures; it is split
 * too, because the kernel's share (socket writes, wake-ups) moves with the
 * load pattern and the process's own share with the code.
 */
export async function measuredSlice(server, url, durationSec) {
  const start = await server.stats();
  const run = await load(url, { durationSec });
  const end = await server.stats();
  return {
    total: run.total,
    seconds: run.seconds,
    userCpuUs: end.cpu.user - start.cpu.user,
    systemCpuUs: end.cpu.system - start.cpu.system,
    // What the heap's life costs (kept events survive a scavenge).
    gcUs: (end.gcMs - start.gcMs) * 1000,
    failed: run.failed,
    latencyP50Ms: run.latencyP50Ms,
    latencyP99Ms: run.latencyP99Ms,
  };
}

/** Several slices of one variant taken as one run: req/s and CPU per request over all of them. */
export function combineSlices(slices) {
  const sum = (key) => slices.reduce((n, s) => n + s[key], 0);
  const requests = Math.max(1, sum("total"));
  const userCpuUsPerRequest = sum("userCpuUs") / requests;
  const systemCpuUsPerRequest = sum("systemCpuUs") / requests;
  return {
    reqPerSec: sum("total") / sum("seconds"),
    total: sum("total"),
    userCpuUsPerRequest,
    systemCpuUsPerRequest,
    cpuUsPerRequest: userCpuUsPerRequest + systemCpuUsPerRequest,
    gcUsPerRequest: sum("gcUs") / requests,
    failed: sum("failed"),
    latencyP50Ms: Math.max(...slices.map((s) => s.latencyP50Ms)),
    latencyP99Ms: Math.max(...slices.map((s) => s.latencyP99Ms)),
  };
}

/**
 * One round over `variants`: each is loaded twice, in the round's order and
 * then in reverse (`a b c c b a`), so every variant's slices sit, on average,
 * at the same moment of the round. This host's speed drifts and jumps within
 * seconds (a bare app's 3 s rounds ranged over 2.6× in one run); a steady
 * drift cancels out of the mirrored order, and short slices keep the variants
 * of one round within a few seconds of each other. `measure(variant)`
 * resolves with one slice; returns each variant's slices combined.
 */
export async function mirroredRound(order, measure) {
  const slices = new Map(order.map((variant) => [variant, []]));
  for (const variant of mirroredOrder(order)) slices.get(variant).push(await measure(variant));
  return new Map([...slices].map(([variant, list]) => [variant, combineSlices(list)]));
}

/** The slices of one round: `order`, then `order` reversed (`a b c c b a`). */
export function mirroredOrder(order) {
  return [...order, ...[...order].reverse()];
}
