import { load } from "./load.mjs";

/**
 * One measured round: `url` (served by `server`'s process) loaded for
 * `durationSec`, with the process's CPU time and garbage-collection pauses
 * per request over the round. Server CPU per request barely moves when other
 * processes compete for the cores, so it backs up the throughput figures;
 * it is split too, because the kernel's share (socket writes, wake-ups) moves
 * with the load pattern and the process's own share with the code. Also
 * returns the stats taken at the end of the round.
 */
export async function measuredRound(server, url, durationSec) {
  const start = await server.stats();
  const run = await load(url, { durationSec });
  const end = await server.stats();
  const requests = Math.max(1, run.total);
  run.userCpuUsPerRequest = (end.cpu.user - start.cpu.user) / requests;
  run.systemCpuUsPerRequest = (end.cpu.system - start.cpu.system) / requests;
  run.cpuUsPerRequest = run.userCpuUsPerRequest + run.systemCpuUsPerRequest;
  // What the heap's life costs (kept events survive a scavenge).
  run.gcUsPerRequest = ((end.gcMs - start.gcMs) * 1000) / requests;
  return { run, stats: end };
}
