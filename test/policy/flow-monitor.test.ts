import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { IntentProofClient } from "../../src/core/client.js";
import { runWithCorrelationId } from "../../src/core/correlation.js";
import { FlowMonitor } from "../../src/policy/flow-monitor.js";
import type { MonitoredFlow } from "../../src/policy/flow-monitor-options.js";
import { parsePolicy } from "../../src/policy/load-policy.js";
import type { Finding, Run } from "../../src/policy/types.js";
import { specV1Validator } from "../../src/schema/spec-v1.js";
import { CheckedExporter } from "../support/event-validator.js";

const refundPolicy = parsePolicy(
  JSON.parse(readFileSync(new URL("../../spec-v1/reference-policies/payments/refund-with-notification/v1/policy.json", import.meta.url), "utf8")),
);

const monitors: FlowMonitor[] = [];
afterEach(async () => {
  for (const monitor of monitors.splice(0)) await monitor.shutdown();
});

function setup(options: Partial<ConstructorParameters<typeof FlowMonitor>[0]> = {}) {
  const runs: Array<{ run: Run; flow: MonitoredFlow }> = [];
  const findings: Finding[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const monitor = new FlowMonitor({
    policies: [refundPolicy],
    idleMs: 60_000,
    onRun: (run, flow) => {
      runs.push({ run, flow });
      for (const w of waiters.filter((w) => runs.length >= w.count)) w.resolve();
    },
    onFinding: (finding) => findings.push(finding),
    ...options,
  });
  monitors.push(monitor);
  const client = new IntentProofClient({ exporters: [new CheckedExporter(), monitor] });
  const step = (correlationId: string, action: string) =>
    runWithCorrelationId(correlationId, () => client.wrap({ intent: `do ${action}`, action }, () => "ok")());
  const refund = (correlationId: string, notify = true) => {
    step(correlationId, "payments.refund.execute");
    step(correlationId, "ledger.refund.record");
    if (notify) step(correlationId, "customer.notify.refund");
  };
  const runsReached = (count: number) =>
    new Promise<void>((resolve) => (runs.length >= count ? resolve() : waiters.push({ count, resolve })));
  return { monitor, runs, findings, step, refund, runsReached };
}

describe("FlowMonitor", () => {
  it("closes idle flows and reports a pass and the skipped receipt", async () => {
    const { runs, findings, refund, step, runsReached } = setup({ idleMs: 40 });
    refund("order-1");
    refund("order-2", false);
    step("health-check", "health.ping");
    await runsReached(2);
    const byCorrelation = Object.fromEntries(runs.map(({ run, flow }) => [flow.flow.correlation_id, { run, flow }]));
    expect(byCorrelation["order-1"]!.run.status).toBe("pass");
    expect(byCorrelation["order-2"]!.run.status).toBe("fail");
    expect(byCorrelation["order-2"]!.flow.closureReason).toBe("idle_timeout");
    expect(byCorrelation["order-2"]!.flow.flow.window.closure_reason).toBe("idle_timeout");
    expect(findings.map((f) => [f.reason, f.human_summary])).toEqual([["fail.required.missing", "required step skipped: customer.notify.refund"]]);
    for (const { run, flow } of runs) {
      expect(specV1Validator("run")(run)).toEqual([]);
      expect(specV1Validator("flow")(flow.flow)).toEqual([]);
    }
    // The health check matched no policy scope: no run for it.
    expect(runs.map((r) => r.flow.flow.correlation_id).sort()).toEqual(["order-1", "order-2"]);
  });

  it("evaluates off the caller's path: nothing is reported synchronously", async () => {
    const { monitor, runs, refund } = setup();
    refund("order-3");
    monitor.close("order-3");
    expect(runs).toHaveLength(0);
    await monitor.flush();
    expect(runs.map((r) => [r.run.status, r.flow.closureReason])).toEqual([["pass", "explicit"]]);
  });

  it("bounds open flows: the least recently active is evaluated early and marked cut short", async () => {
    const { monitor, runs, step, refund } = setup({ maxOpenFlows: 2 });
    step("a", "payments.refund.execute");
    step("b", "payments.refund.execute");
    step("a", "ledger.refund.record"); // a is now the most recently active
    refund("c");
    await monitor.flush();
    expect(runs.map((r) => [r.flow.flow.correlation_id, r.flow.closureReason, r.flow.cutShort, r.run.status])).toEqual([["b", "evicted", true, "fail"]]);
    expect(monitor.stats()).toMatchObject({ openFlows: 2, flowsCutShort: 1 });
  });

  it("bounds the events held across flows", async () => {
    const { monitor, runs, step } = setup({ maxBufferedEvents: 3 });
    step("a", "payments.refund.execute");
    step("a", "ledger.refund.record");
    step("b", "payments.refund.execute");
    expect(monitor.stats().bufferedEvents).toBe(3);
    step("b", "ledger.refund.record"); // 4 > 3: a, the least recently active, goes
    await monitor.flush();
    expect(runs.map((r) => [r.flow.flow.correlation_id, r.flow.closureReason, r.flow.flow.events.length])).toEqual([["a", "evicted", 2]]);
    expect(monitor.stats()).toMatchObject({ openFlows: 1, bufferedEvents: 2 });
  });

  it("bounds events per flow and flow duration", async () => {
    const many = setup({ maxEventsPerFlow: 3 });
    many.refund("long");
    await many.monitor.flush();
    expect(many.runs.map((r) => [r.flow.closureReason, r.flow.cutShort])).toEqual([["max_events", true]]);

    const timed = setup({ maxFlowMs: 30 });
    timed.step("slow", "payments.refund.execute");
    await timed.runsReached(1);
    expect(timed.runs[0]!.flow.closureReason).toBe("max_duration");
  });

  it("shutdown evaluates every open flow", async () => {
    const { monitor, runs, refund } = setup();
    refund("x");
    refund("y", false);
    await monitor.shutdown();
    expect(runs.map((r) => [r.flow.flow.correlation_id, r.flow.closureReason, r.run.status])).toEqual([
      ["x", "shutdown", "pass"],
      ["y", "shutdown", "fail"],
    ]);
  });

  it("a throwing hook goes to onError; the wrapped call is untouched", async () => {
    const errors: unknown[] = [];
    const { monitor, refund } = setup({ onRun: () => { throw new Error("hook broke"); }, onError: (e) => errors.push(e) });
    expect(() => refund("z")).not.toThrow();
    monitor.close("z");
    await monitor.flush();
    expect(errors.map((e) => (e as Error).message)).toEqual(["hook broke"]);
  });

  it("rejects bad options at construction, naming the field", () => {
    expect(() => new FlowMonitor({ policies: [refundPolicy], idelMs: 5 } as never)).toThrow('FlowMonitor: unknown field "idelMs" (did you mean "idleMs"?)');
    expect(() => new FlowMonitor({ policies: [] })).toThrow('FlowMonitor: "policies" must be a non-empty array');
    expect(() => new FlowMonitor({ policies: [{ ...refundPolicy, rules: [{ id: "r", category: "required", spec: {} }] }] })).toThrow(/FlowMonitor: "policies\[0\]": .*rules\[0\] \(id "r", required\): "spec.action" is required/s);
    expect(() => new FlowMonitor({ policies: [refundPolicy], idleMs: -1 })).toThrow('FlowMonitor: "idleMs" must be a number of milliseconds');
  });
});
