/**
 * The monitor in a real Nest application on 127.0.0.1: given to
 * IntentProofModule.forRoot() among the exporters, it checks each request's
 * flow, and the refund whose receipt was skipped is reported; app.close()
 * evaluates the flows still open.
 */
import { Module } from "@nestjs/common";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IntentProofModule } from "../../src/nestjs.js";
import { FlowMonitor } from "../../src/policy/flow-monitor.js";
import type { MonitoredFlow } from "../../src/policy/flow-monitor-options.js";
import { parsePolicy } from "../../src/policy/load-policy.js";
import type { Run } from "../../src/policy/types.js";
import { CheckedExporter } from "../support/event-validator.js";
import { startApp, type RunningApp } from "../nestjs/fixtures/platforms.js";
import { RefundsController, RefundSteps, referenceRefundPolicy } from "./support/nest-refund-app.js";

const policy = parsePolicy(referenceRefundPolicy());

describe("FlowMonitor in a Nest application", () => {
  const runs: Array<{ run: Run; flow: MonitoredFlow }> = [];
  let running: RunningApp;
  let monitor: FlowMonitor;

  beforeAll(async () => {
    monitor = new FlowMonitor({ policies: [policy], idleMs: 60_000, onRun: (run, flow) => runs.push({ run, flow }) });
    @Module({
      imports: [IntentProofModule.forRoot({ exporters: [new CheckedExporter(), monitor] })],
      controllers: [RefundsController],
      providers: [RefundSteps],
    })
    class RefundsAppModule {}
    running = await startApp("express", RefundsAppModule);
  });
  afterAll(async () => {
    await running?.close();
  });

  it("checks each request's flow; closing the app evaluates the open ones", async () => {
    const send = (orderId: string, correlationId: string, skip: boolean) =>
      fetch(`${running.url}/refunds/${orderId}${skip ? "?skipReceipt=1" : ""}`, { method: "POST", headers: { "x-intentproof-correlation-id": correlationId } });
    expect((await send("o-1", "req-complete", false)).status).toBe(201);
    expect((await send("o-2", "req-skipped", true)).status).toBe(201);
    expect(runs).toHaveLength(0); // idle window not over: flows still open
    await running.app.close();
    const byCorrelation = Object.fromEntries(runs.map(({ run, flow }) => [flow.flow.correlation_id, { run, flow }]));
    expect(byCorrelation["req-complete"]!.run.status).toBe("pass");
    expect(byCorrelation["req-skipped"]!.run.status).toBe("fail");
    expect(byCorrelation["req-skipped"]!.flow.closureReason).toBe("shutdown");
    expect(byCorrelation["req-skipped"]!.run.findings.filter((f) => f.outcome === "fail").map((f) => f.human_summary)).toEqual([
      "required step skipped: customer.notify.refund",
    ]);
  });
});
