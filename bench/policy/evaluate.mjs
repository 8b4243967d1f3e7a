// Policy evaluation cost (issue 14, item 8): a closed 10-event flow against a
// 3-rule policy, budget 50 µs per evaluation; and what FlowMonitor.export()
// adds to the caller's path. Imports the built package (npm run build first).
//
//   node bench/policy/evaluate.mjs [--iterations N] [--rounds N]
// Prints one JSON object: median µs per evaluation and per export() call.
import { parseArgs } from "node:util";
import { createHash } from "node:crypto";
import { performance } from "node:perf_hooks";
import { buildFlowFromEvents, definePolicy, evaluatePolicy, FlowMonitor, IntentProofClient, runWithCorrelationId } from "intentproof";

const { values } = parseArgs({ options: { iterations: { type: "string", default: "20000" }, rounds: { type: "string", default: "5" } } });
const iterations = Number(values.iterations);
const rounds = Number(values.rounds);

const base = Date.parse("2026-05-16T00:00:00.000Z");
const actions = ["cart.load", "payments.refund.execute", "ledger.refund.record", "audit.write", "cache.put", "cache.get", "audit.write", "customer.notify.refund", "metrics.emit", "session.touch"];
const events = actions.map((action, i) => ({
  id: `00000000-0000-4000-8000-00000000000${i}`,
  correlationId: "bench-flow",
  intent: `do ${action}`,
  action,
  inputs: {},
  output: "ok",
  status: "ok",
  startedAt: new Date(base + i * 1000).toISOString(),
  completedAt: new Date(base + i * 1000 + 10).toISOString(),
  durationMs: 10,
  attributes: { tier: "gold" },
}));
const built = buildFlowFromEvents(events, { tenantId: "bench" });
const policy = definePolicy({
  policy_id: "bench.refund", policy_version: 1, tenant_id: "bench", spec_version: "1.0.0",
  scope: { any_event_action_in: ["payments.refund.execute"] },
  rules: [
    { id: "notified", category: "required", severity: "high", spec: { action: "customer.notify.refund", min: 1, where: { status: "ok" } } },
    { id: "ledger-first", category: "ordering", severity: "medium", spec: { before: "ledger.refund.record", after: "customer.notify.refund" } },
    { id: "sla", category: "temporal", severity: "medium", spec: { from: { action: "payments.refund.execute" }, to: { action: "customer.notify.refund", anchor: "started_at" }, max: "PT15M" } },
  ],
});

function median(list) {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function measure(fn) {
  for (let i = 0; i < iterations / 4; i++) fn(i);
  const perRound = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (let i = 0; i < iterations; i++) fn(i);
    perRound.push(((performance.now() - start) * 1000) / iterations);
  }
  return median(perRound);
}

let sink;
const evaluateUs = measure(() => {
  sink = evaluatePolicy(policy, built);
});
if (sink.status !== "pass") throw new Error(`bench flow should pass, got ${sink.status}`);

// export() on the caller's path: one event filed under its correlation. Flows
// rotate over 1000 correlations so the map stays at a realistic size.
const monitor = new FlowMonitor({ policies: [policy], idleMs: 60_000, maxOpenFlows: 2000, maxEventsPerFlow: 1_000_000 });
const correlated = Array.from({ length: 1000 }, (_, i) => ({ ...events[1], correlationId: `c${i}` }));
const exportUs = measure((i) => monitor.export(correlated[i % 1000]));
await monitor.shutdown();

// A wrapped call with and without the monitor among the exporters: what the
// caller pays for it (correlations rotate so flows stay open and bounded).
const noop = { export() {} };
const plainClient = new IntentProofClient({ exporters: [noop] });
const monitored = new FlowMonitor({ policies: [policy], idleMs: 60_000, maxOpenFlows: 2000 });
const monitoredClient = new IntentProofClient({ exporters: [noop, monitored] });
const plainCall = plainClient.wrap({ intent: "refund", action: "payments.refund.execute" }, (n) => n + 1);
const monitoredCall = monitoredClient.wrap({ intent: "refund", action: "payments.refund.execute" }, (n) => n + 1);
const ids = Array.from({ length: 1000 }, (_, i) => `flow-${i}`);
// A service yields to the event loop between requests; so does this loop
// (every 100 calls), letting the monitor's evaluations run. "caller" is the
// time inside the calls (the caller's path); "total" includes the yields,
// i.e. the monitor's background work (event hashing, evaluation).
async function measureYielding(fn) {
  const once = async () => {
    let inCalls = 0;
    const start = performance.now();
    for (let i = 0; i < iterations; i += 100) {
      const batch = performance.now();
      for (let j = i; j < i + 100; j++) fn(j);
      inCalls += performance.now() - batch;
      await new Promise((resolve) => setImmediate(resolve));
    }
    return { caller: (inCalls * 1000) / iterations, total: ((performance.now() - start) * 1000) / iterations };
  };
  await once();
  const perRound = [];
  for (let r = 0; r < rounds; r++) perRound.push(await once());
  return { caller: median(perRound.map((p) => p.caller)), total: median(perRound.map((p) => p.total)) };
}
const wrapped = await measureYielding((i) => runWithCorrelationId(ids[i % 1000], () => plainCall(i)));
const wrappedMonitored = await measureYielding((i) => runWithCorrelationId(ids[i % 1000], () => monitoredCall(i)));
await monitored.shutdown();

// A fixed reference workload measured in the same process, so a figure taken
// on a loaded machine can be read relative to it.
const block = Buffer.alloc(2048, 1);
const sha256Us = measure(() => createHash("sha256").update(block).digest("hex"));

console.log(JSON.stringify({
  node: process.version,
  iterations,
  rounds,
  evaluate_10_events_3_rules_us: Number(evaluateUs.toFixed(2)),
  budget_us: 50,
  monitor_export_us: Number(exportUs.toFixed(3)),
  wrapped_call_caller_us: Number(wrapped.caller.toFixed(3)),
  wrapped_call_with_monitor_caller_us: Number(wrappedMonitored.caller.toFixed(3)),
  wrapped_call_total_us: Number(wrapped.total.toFixed(3)),
  wrapped_call_with_monitor_total_us: Number(wrappedMonitored.total.toFixed(3)),
  reference_sha256_2kib_us: Number(sha256Us.toFixed(2)),
  evaluate_in_sha256_2kib_units: Number((evaluateUs / sha256Us).toFixed(1)),
}));
