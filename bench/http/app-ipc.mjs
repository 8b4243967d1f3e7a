// The bench server's side of the IPC protocol, shared by the Express and Nest
// bench apps. Around each round the bench asks for "stats": the events kept,
// the process's CPU time and its garbage-collection pause time so far. Only
// counters: anything costlier would run inside the round it measures. The
// last recorded event (a check that the variant really recorded) is asked
// for once, with "last-event", when a process's rounds are over.
// bench/allocation.mjs alone asks for "heap-sampling-start" and
// "heap-sampling-stop": what the process allocated in between, by function.
import { PerformanceObserver } from "node:perf_hooks";
import { bytesByFunction } from "../lib/heap-sample.mjs";

const REPO_URL = new URL("../../", import.meta.url).href;

/** Answers the bench's queries for this process; `memories` are the MemoryExporters its apps record into. */
export function answerBenchQueries(memories) {
  let gcMs = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  }).observe({ entryTypes: ["gc"] });
  process.on("message", (message) => {
    if (message === "stats") {
      const events = memories.reduce((sum, memory) => sum + memory.size, 0);
      process.send({ type: "stats", events, cpu: process.cpuUsage(), gcMs });
    } else if (message === "last-event") {
      const memory = memories.findLast((m) => m.size > 0);
      process.send({ type: "last-event", event: memory?.getEvents().at(-1) });
    } else if (message === "heap-sampling-start" || message === "heap-sampling-stop") {
      heapSampling(message).then(
        (reply) => process.send(reply),
        (error) => process.send({ type: message, error: String(error?.message ?? error) }),
      );
    }
  });
  process.on("disconnect", () => process.exit(0));
}

let inspectorSession;

/**
 * Starts V8's sampling heap profiler, counting objects the garbage collector
 * has since freed too (so it measures what was allocated, not what is live),
 * or stops it and replies with the bytes sampled per function. The inspector
 * is only loaded when asked.
 */
async function heapSampling(message) {
  if (inspectorSession === undefined) {
    const { Session } = await import("node:inspector/promises");
    inspectorSession = new Session();
    inspectorSession.connect();
  }
  if (message === "heap-sampling-start") {
    await inspectorSession.post("HeapProfiler.startSampling", {
      samplingInterval: 512,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    return { type: message };
  }
  const { profile } = await inspectorSession.post("HeapProfiler.stopSampling");
  return { type: message, bytes: [...bytesByFunction(profile, REPO_URL)] };
}
