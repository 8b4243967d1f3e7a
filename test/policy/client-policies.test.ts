/**
 * `new IntentProofClient({ policies, policyMonitor })` through the public
 * entry (which fills core's policy extension point): the client gets a flow
 * monitor as its last exporter, options are checked with the toolkit, and
 * configure() keeps or replaces the monitor.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { FlowMonitor, IntentProofClient, runWithCorrelationId, type MonitoredFlow, type Run } from "../../src/index.js";
import { CheckedExporter } from "../support/event-validator.js";

const POLICY_FILE = new URL("../../spec-v1/reference-policies/payments/refund-with-notification/v1/policy.json", import.meta.url);
// A plain document, as JSON.parse gives it: the client parses and checks it.
const refundPolicy = JSON.parse(readFileSync(POLICY_FILE, "utf8"));

const clients: IntentProofClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.shutdown();
});

function refund(client: IntentProofClient, correlationId: string, notify: boolean): void {
  const steps = ["payments.refund.execute", "ledger.refund.record", ...(notify ? ["customer.notify.refund"] : [])];
  for (const action of steps) runWithCorrelationId(correlationId, () => client.wrap({ intent: `do ${action}`, action }, () => "ok")());
}

function clientWithRuns(extra: Record<string, unknown> = {}) {
  const runs: Array<{ run: Run; flow: MonitoredFlow }> = [];
  const client = new IntentProofClient({
    exporters: [new CheckedExporter()],
    policies: [refundPolicy],
    policyMonitor: { idleMs: 60_000, onRun: (run, flow) => runs.push({ run, flow }) },
    ...extra,
  });
  clients.push(client);
  return { client, runs };
}

describe("IntentProofClient({ policies })", () => {
  it("appends a flow monitor to the exporters and reports each flow's run", async () => {
    const { client, runs } = clientWithRuns();
    expect(client.exporters).toHaveLength(2);
    expect(client.exporters[1]).toBeInstanceOf(FlowMonitor);
    refund(client, "refund-complete", true);
    refund(client, "refund-skipped", false);
    expect(runs).toHaveLength(0); // flows stay open until idle, closed, or shutdown
    await client.shutdown();
    const byFlow = new Map(runs.map(({ run, flow }) => [flow.flow.correlation_id, run]));
    expect(byFlow.get("refund-complete")!.status).toBe("pass");
    const skipped = byFlow.get("refund-skipped")!;
    expect(skipped.status).toBe("fail");
    expect(skipped.findings.filter((f) => f.outcome === "fail").map((f) => [f.reason, f.human_summary])).toEqual([
      ["fail.required.missing", "required step skipped: customer.notify.refund"],
    ]);
  });

  it("closes a flow after policyMonitor.idleMs, and onFinding hears the failing finding", async () => {
    const findings: string[] = [];
    let resolve!: () => void;
    const reported = new Promise<void>((r) => (resolve = r));
    const client = new IntentProofClient({
      exporters: [new CheckedExporter()],
      policies: [refundPolicy],
      policyMonitor: {
        idleMs: 40,
        onFinding: (finding) => {
          findings.push(finding.human_summary!);
          resolve();
        },
      },
    });
    clients.push(client);
    refund(client, "idle-skipped", false);
    await reported;
    expect(findings).toEqual(["required step skipped: customer.notify.refund"]);
  });

  it("applies the policyMonitor bounds: beyond maxOpenFlows the least recently active flow is judged early, marked cut short", async () => {
    const { client, runs } = clientWithRuns({
      policyMonitor: { maxOpenFlows: 1, idleMs: 60_000, onRun: (run: Run, flow: MonitoredFlow) => runs.push({ run, flow }) },
    });
    refund(client, "first", true);
    refund(client, "second", true);
    await (client.exporters[1] as FlowMonitor).flush();
    expect(runs.map(({ flow }) => [flow.flow.correlation_id, flow.closureReason, flow.cutShort])).toEqual([["first", "evicted", true]]);
    await client.shutdown();
    expect(runs.map(({ flow }) => [flow.flow.correlation_id, flow.closureReason, flow.cutShort])).toEqual([
      ["first", "evicted", true],
      ["second", "shutdown", false],
    ]);
  });

  it("checks policies and policyMonitor at configuration time, naming the field", () => {
    expect(() => new IntentProofClient({ policies: [] })).toThrow(
      'intentproof: config: "policies" must be a non-empty array of intentproof.policy.v1 objects, got an array',
    );
    expect(() => new IntentProofClient({ policies: [{ ...refundPolicy, rules: [{ id: "r", category: "required", spec: {} }] }] })).toThrow(
      /intentproof: config: "policies\[0\]": .*"spec.action" is required/s,
    );
    expect(() => new IntentProofClient({ policies: [refundPolicy], policyMonitor: { idelMs: 5 } as never })).toThrow(
      'intentproof: config: unknown field "policyMonitor.idelMs" (did you mean "policyMonitor.idleMs"?)',
    );
    expect(() => new IntentProofClient({ policies: [refundPolicy], policyMonitor: { maxOpenFlows: 0 } })).toThrow(
      'intentproof: config: "policyMonitor.maxOpenFlows" must be a positive integer, got 0',
    );
    expect(() => new IntentProofClient({ policies: [refundPolicy], policyMonitor: { onRun: "log" as never } })).toThrow(
      'intentproof: config: "policyMonitor.onRun" must be a function, got "log"',
    );
  });

  it("configure() keeps the monitor when only exporters change, and a new policies list replaces it after judging its flows", async () => {
    const { client, runs } = clientWithRuns();
    const first = client.exporters[1];
    const replacement = new CheckedExporter();
    client.configure({ exporters: [replacement] });
    expect(client.exporters).toEqual([replacement, first]);

    refund(client, "before-replace", false);
    const later: Run[] = [];
    client.configure({ policies: [refundPolicy], policyMonitor: { idleMs: 60_000, onRun: (run) => later.push(run) } });
    expect(client.exporters).toHaveLength(2);
    expect(client.exporters[0]).toBe(replacement);
    expect(client.exporters[1]).not.toBe(first);
    // The replaced monitor shuts down: its open flow is evaluated, not forgotten.
    await (first as FlowMonitor).flush();
    await expect.poll(() => runs.map(({ run }) => run.status)).toEqual(["fail"]);
    refund(client, "after-replace", true);
    await client.shutdown();
    expect(later.map((run) => run.status)).toEqual(["pass"]);
  });

  it("a throwing hook goes to the client's onExporterError unless policyMonitor.onError is set", async () => {
    const errors: unknown[] = [];
    const client = new IntentProofClient({
      exporters: [new CheckedExporter()],
      onExporterError: (error) => errors.push(error),
      policies: [refundPolicy],
      policyMonitor: {
        onRun: () => {
          throw new Error("dashboard down");
        },
      },
    });
    refund(client, "hook-throws", true);
    await client.shutdown();
    expect(errors.map((error) => (error as Error).message)).toEqual(["dashboard down"]);
  });
});
