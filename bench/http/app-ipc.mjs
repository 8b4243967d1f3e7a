// The bench server's side of the IPC protocol, shared by the Express and Nest
// bench apps. Around each round the bench asks for "stats": the events kept,
// the process's CPU time and its garbage-collection pause time so far. Only
// counters: anything costlier would run inside the round it measures. The
// last recorded event (a check that the variant really recorded) is asked
// for once, with "last-event", when a process's rounds are over.
import { PerformanceObserver } from "node:perf_hooks";

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
    }
  });
  process.on("disconnect", () => process.exit(0));
}
