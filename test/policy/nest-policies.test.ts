/**
 * `IntentProofModule.forRoot({ policies })` in a real Nest application on
 * 127.0.0.1 that imports nothing from the package but `intentproof/nestjs`
 * (the policy is a plain JSON document): the nestjs entry fills core's policy
 * extension point, the module's client runs a flow monitor, and the refund
 * that skipped its receipt is reported through onRun as a failing run.
 */
import { Module } from "@nestjs/common";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IntentProofModule } from "../../src/nestjs.js";
import { CheckedExporter } from "../support/event-validator.js";
import { startApp, type RunningApp } from "../nestjs/fixtures/platforms.js";
import { RefundsController, RefundSteps, referenceRefundPolicy } from "./support/nest-refund-app.js";

const policy = referenceRefundPolicy();

interface ReportedRun {
  correlationId: string;
  status: string;
  closureReason: string;
  failed: string[];
}

describe("IntentProofModule.forRoot({ policies })", () => {
  const runs: ReportedRun[] = [];
  let running: RunningApp;
  let reported: Promise<void>;

  beforeAll(async () => {
    let bothReported!: () => void;
    reported = new Promise((resolve) => (bothReported = resolve));
    @Module({
      imports: [
        IntentProofModule.forRoot({
          exporters: [new CheckedExporter()],
          policies: [policy],
          policyMonitor: {
            idleMs: 50,
            onRun: (run, { flow, closureReason }) => {
              const failed = run.findings.filter((f) => f.outcome === "fail").map((f) => f.human_summary ?? f.reason);
              runs.push({ correlationId: flow.correlation_id, status: run.status, closureReason, failed });
              if (runs.length === 2) bothReported();
            },
          },
        }),
      ],
      controllers: [RefundsController],
      providers: [RefundSteps],
    })
    class RefundsAppModule {}
    running = await startApp("express", RefundsAppModule);
  });
  afterAll(async () => {
    await running?.close();
  });

  it("reports a passing run for a complete refund and a failing one for the refund that skipped its receipt", async () => {
    const send = (orderId: string, correlationId: string, skip: boolean) =>
      fetch(`${running.url}/refunds/${orderId}${skip ? "?skipReceipt=1" : ""}`, { method: "POST", headers: { "x-intentproof-correlation-id": correlationId } });
    expect((await send("o-1", "nest-complete", false)).status).toBe(201);
    expect((await send("o-2", "nest-skipped", true)).status).toBe(201);
    await reported;
    runs.sort((a, b) => a.correlationId.localeCompare(b.correlationId));
    expect(runs).toEqual([
      { correlationId: "nest-complete", status: "pass", closureReason: "idle_timeout", failed: [] },
      { correlationId: "nest-skipped", status: "fail", closureReason: "idle_timeout", failed: ["required step skipped: customer.notify.refund"] },
    ]);
  });

  it("checks policyMonitor with the module's owner at configuration time", () => {
    expect(() => IntentProofModule.forRoot({ policies: [policy], policyMonitor: { idleMS: 5 } as never })).toThrow(
      /unknown field "policyMonitor.idleMS" \(did you mean "policyMonitor.idleMs"\?\)/,
    );
  });
});
