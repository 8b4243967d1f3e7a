import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkCommand } from "../../src/cli/commands/check.js";
import { runCli } from "../../src/cli/main.js";
import { specV1Validator } from "../../src/schema/spec-v1.js";
import { runCommand } from "./support/cli.js";
import { recordSteps } from "./support/record-steps.js";
import { signRecords, writeEvidenceDir, writeKeySet } from "./support/signed-evidence.js";

const POLICY = new URL("../../spec-v1/reference-policies/payments/refund-with-notification/v1/policy.json", import.meta.url).pathname;
const POLICY_YAML = POLICY.replace(/\.json$/, ".yaml");

function evidence() {
  const dir = mkdtempSync(join(tmpdir(), "check-"));
  const complete = recordSteps("order-1", [{ action: "payments.refund.execute" }, { action: "ledger.refund.record" }, { action: "customer.notify.refund" }]);
  const skipped = recordSteps("order-2", [{ action: "payments.refund.execute" }, { action: "ledger.refund.record" }]);
  const other = recordSteps("health", [{ action: "health.ping" }]);
  const records = signRecords([...complete, ...skipped, ...other]);
  writeEvidenceDir(join(dir, "evidence"), records);
  const keys = writeKeySet(join(dir, "keys.json"));
  return { dir, evidenceDir: join(dir, "evidence"), keys, records };
}

describe("intentproof check", () => {
  it.each(["check", "bundle"])("%s --help prints its usage and exits 0", async (command) => {
    let stdout = "";
    const io = { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true } };
    expect(await runCli([command, "--policy", "x.json", "--help"], io as never)).toBe(0);
    expect(stdout).toMatch(new RegExp(`^usage: intentproof ${command} `));
  });

  it("exit 0 when the named flow passes, JSON runs are schema-valid", async () => {
    const { evidenceDir, keys } = evidence();
    const result = await runCommand(checkCommand, ["--policy", POLICY, evidenceDir, "--correlation", "order-1", "--keys", keys, "--json"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output.status).toBe("pass");
    expect(output.runs).toHaveLength(1);
    expect(specV1Validator("run")(output.runs[0])).toEqual([]);
  });

  it("exit 1 and the skipped receipt when any matching flow fails; out-of-scope flows are not checked", async () => {
    const { evidenceDir } = evidence();
    const result = await runCommand(checkCommand, ["--policy", POLICY, evidenceDir, "--json"]);
    expect(result.code).toBe(1);
    const output = JSON.parse(result.stdout);
    expect(output.status).toBe("fail");
    expect(output.runs.map((r: any) => r.status)).toEqual(["pass", "fail"]);
    expect(output.runs[1].findings.find((f: any) => f.outcome === "fail")).toMatchObject({ reason: "fail.required.missing", human_summary: "required step skipped: customer.notify.refund" });

    const human = await runCommand(checkCommand, ["--policy", POLICY_YAML, evidenceDir]);
    expect(human.code).toBe(1);
    // Without --keys the output says that nothing vouched for the records.
    expect(human.stdout.split("\n")[0]).toMatch(/^note: no --keys, so the records' signatures and chains were not verified/);
    expect(human.stdout).toContain("✗ fail  correlation order-2");
    expect(human.stdout).toContain("fail.required.missing: required step skipped: customer.notify.refund");
  });

  it("exit 1 for an inconclusive run", async () => {
    const { dir, evidenceDir } = evidence();
    const policy = JSON.parse(readFileSync(POLICY, "utf8"));
    const { definePolicy } = await import("../../src/policy/load-policy.js");
    const ordering = definePolicy({ ...policy, rules: [{ id: "o", category: "ordering", spec: { before: "approve", after: "customer.notify.refund" } }] });
    writeFileSync(join(dir, "ordering.json"), JSON.stringify(ordering));
    const result = await runCommand(checkCommand, ["--policy", join(dir, "ordering.json"), evidenceDir, "--correlation", "order-1", "--json"]);
    expect([result.code, JSON.parse(result.stdout).status]).toEqual([1, "inconclusive"]);
  });

  it("with --keys, tampered evidence fails integrity before completeness is judged", async () => {
    const { dir, records, keys } = evidence();
    const tampered = records.map((r) => (r.correlation_id === "order-2" && r.action === "ledger.refund.record" ? { ...r, status: "error" } : r));
    writeEvidenceDir(join(dir, "tampered"), tampered);
    const result = await runCommand(checkCommand, ["--policy", POLICY, join(dir, "tampered"), "--keys", keys, "--json"]);
    expect(result.code).toBe(1);
    const output = JSON.parse(result.stdout);
    expect(output.status).toBe("fail");
    expect(output.runs).toEqual([]);
    expect(output.integrity.map((p: any) => p.reason)).toContain("signature.invalid");

    // A key set without the signing key: nothing verifies.
    const otherKeys = writeKeySet(join(dir, "other.json"), [["someone:k1", Buffer.alloc(32, 9)]]);
    const untrusted = await runCommand(checkCommand, ["--policy", POLICY, join(dir, "evidence"), "--keys", otherKeys]);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stdout).toContain("signature.key_unknown");
  });

  it("exit 2 for unusable input", async () => {
    const { dir, evidenceDir } = evidence();
    writeFileSync(join(dir, "bad-policy.json"), JSON.stringify({ schema: "intentproof.policy.v1" }));
    const cases: string[][] = [
      [evidenceDir],
      ["--policy", join(dir, "missing.json"), evidenceDir],
      ["--policy", join(dir, "bad-policy.json"), evidenceDir],
      ["--policy", POLICY, join(dir, "nowhere")],
      ["--policy", POLICY, evidenceDir, "--correlation", "unknown"],
      ["--policy", POLICY, evidenceDir, "--keys", join(dir, "missing-keys.json")],
      ["--policy", POLICY, evidenceDir, "--bogus"],
    ];
    for (const args of cases) {
      const result = await runCommand(checkCommand, args);
      expect([args.join(" "), result.code]).toEqual([args.join(" "), 2]);
      expect(result.stderr).not.toBe("");
    }
    const bad = await runCommand(checkCommand, ["--policy", join(dir, "bad-policy.json"), evidenceDir]);
    expect(bad.stderr).toContain('"policy_id" is required');
  });

  it("reads unsigned ExecutionEvents JSONL too, through the bin's dispatcher", async () => {
    const dir = mkdtempSync(join(tmpdir(), "check-events-"));
    const events = recordSteps("order-9", [{ action: "payments.refund.execute" }, { action: "ledger.refund.record" }]);
    writeFileSync(join(dir, "events.jsonl"), events.map((e) => `${JSON.stringify(e)}\n`).join(""));
    let stdout = "";
    const code = await runCli(["check", "--policy", POLICY, join(dir, "events.jsonl"), "--json"], { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: () => {} } });
    expect(code).toBe(1);
    expect(JSON.parse(stdout).runs[0].findings.map((f: any) => f.reason)).toEqual(["pass.required.satisfied", "pass.required.satisfied", "fail.required.missing"]);
  });
});
