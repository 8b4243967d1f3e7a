/**
 * The walk-through of docs/completeness.md, end to end: a service with the
 * EvidenceExporter and a FlowMonitor records refunds (one skips its receipt),
 * the monitor reports the skipped step, then `keys export`, `check`, `bundle`
 * and `verify` run on the evidence directory it wrote.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { IntentProofClient } from "../../src/core/client.js";
import { runWithCorrelationId } from "../../src/core/correlation.js";
import { EvidenceExporter } from "../../src/evidence/evidence-exporter.js";
import { bundleCommand } from "../../src/cli/commands/bundle.js";
import { checkCommand } from "../../src/cli/commands/check.js";
import { keysCommand } from "../../src/cli/commands/keys.js";
import { runCli } from "../../src/cli/main.js";
import { FlowMonitor } from "../../src/policy/flow-monitor.js";
import { loadPolicyFile } from "../../src/policy/load-policy.js";
import { bundleEvidence, checkEvidence } from "../../src/policy/check-evidence.js";
import { verifyBundleFile } from "../../src/policy/bundle/verify-bundle-file.js";
import type { Finding } from "../../src/policy/types.js";
import { CheckedExporter } from "../support/event-validator.js";
import { runCommand } from "./support/cli.js";

const OTHER_POLICY = new URL("../../spec-v1/reference-policies/payments/refund-with-ledger/v1/policy.json", import.meta.url).pathname;
const POLICY = new URL("../../spec-v1/reference-policies/payments/refund-with-notification/v1/policy.json", import.meta.url).pathname;

describe("from a refund to a verified bundle", () => {
  it("monitor, check, bundle and verify agree on the refund that skipped its receipt", async () => {
    const dir = mkdtempSync(join(tmpdir(), "walkthrough-"));
    const evidenceDir = join(dir, "evidence");
    const findings: Finding[] = [];
    const monitor = new FlowMonitor({ policies: [await loadPolicyFile(POLICY)], onFinding: (f) => findings.push(f) });
    const evidence = new EvidenceExporter({ directory: evidenceDir, tenantId: "reference", instanceId: "shop-1" });
    const client = new IntentProofClient({ exporters: [new CheckedExporter(), evidence, monitor] });
    const step = (action: string) => client.wrap({ intent: `perform ${action}`, action }, async (id: string) => ({ id }));
    const execute = step("payments.refund.execute");
    const ledger = step("ledger.refund.record");
    const notify = step("customer.notify.refund");
    const refund = (correlationId: string, skipReceipt: boolean) =>
      runWithCorrelationId(correlationId, async () => {
        await execute(correlationId);
        await ledger(correlationId);
        if (!skipReceipt) await notify(correlationId);
      });
    await refund("refund-1", false);
    await refund("refund-2", true);
    const info = await evidence.ready();
    monitor.close("refund-1");
    monitor.close("refund-2");
    await client.shutdown();
    expect(findings.map((f) => f.human_summary)).toEqual(["required step skipped: customer.notify.refund"]);

    const keys = await runCommand(keysCommand, ["export", evidenceDir]);
    expect(keys.code).toBe(0);
    writeFileSync(join(dir, "keys.json"), keys.stdout);

    const check = await runCommand(checkCommand, ["--policy", POLICY, evidenceDir, "--keys", join(dir, "keys.json")]);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain("✓ pass  correlation refund-1");
    expect(check.stdout).toContain("✗ fail  correlation refund-2");

    const made = await runCommand(bundleCommand, [evidenceDir, "--correlation", "refund-2", "--policy", POLICY, "--keys", join(dir, "keys.json"), "--out", join(dir, "refund-2.proof.tar.zst")]);
    expect(made.code).toBe(0);
    const path = made.stdout.match(/^wrote (\S+)/)![1]!;

    let stdout = "";
    const verified = await runCli(["verify", path, "--keys", join(dir, "keys.json")], { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: () => {} } });
    expect(verified).toBe(0);
    expect(stdout).toContain("✓ pass: bundle.verify_pass");
    expect(stdout).toContain("required step skipped: customer.notify.refund");

    // Through the top-level CLI, `--policy` pins the policy a bundle must have been judged by.
    const quiet = { stdout: { write: () => true }, stderr: { write: () => true } };
    expect(await runCli(["verify", path, "--keys", join(dir, "keys.json"), "--policy", POLICY], quiet)).toBe(0);
    expect(await runCli(["verify", path, "--keys", join(dir, "keys.json"), "--policy", OTHER_POLICY], quiet)).toBe(1);
    expect(readFileSync(join(dir, "keys.json"), "utf8")).toContain("shop-1");

    // The same as functions, with the instance's own key set (what a proof page has at hand).
    const policy = await loadPolicyFile(POLICY);
    const checked = await checkEvidence(evidenceDir, policy, { keys: info.publicKeys });
    expect(checked.runs.map((r, i) => [checked.flows[i]!.flow.correlation_id, r.status])).toEqual([["refund-1", "pass"], ["refund-2", "fail"]]);
    const bundled = await bundleEvidence(evidenceDir, { correlationId: "refund-2", policy, keys: info.publicKeys });
    expect(bundled.bundle?.run.status).toBe("fail");
    expect(bundled.bundle?.fileName).toMatch(/^flow_[0-9a-f]{32}\.proof\.tar(\.zst)?$/);
    writeFileSync(join(dir, bundled.bundle!.fileName), bundled.bundle!.bytes);
    expect((await verifyBundleFile(join(dir, bundled.bundle!.fileName), info.publicKeys)).status).toBe("pass");
  });
});
