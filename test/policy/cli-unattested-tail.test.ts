/** `check --keys` and `bundle` on a log cut back to a few events after a checkpoint: the verifier's warnings are reported, the flow in the tail is not called attested. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { tempDir } from "../evidence/support/evidence-fixture.js";
import { buildLog, eventLines, tampered, type BuiltLog } from "../evidence/support/tamper.js";

const POLICY = new URL("../../spec-v1/reference-policies/payments/refund-with-notification/v1/policy.json", import.meta.url).pathname;

async function cli(args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

let log: BuiltLog;
beforeAll(async () => {
  log = await buildLog();
});

// Keep 26 of 28 events: the last checkpoints and order-d's last 2 events go; order-d's first 2 follow checkpoint 3.
// (A copy per test: tampered() copies into a directory removed after each test.)
const cutLog = (): string => tampered(log, (lines) => lines.slice(0, eventLines(lines)[25]! + 1));

describe("a flow in the log's unattested tail", () => {
  it("check --keys prints the verifier's warning and the flow's unattested events; --json has them", async () => {
    const cut = cutLog();
    const human = await cli(["check", "--policy", POLICY, cut, "--keys", log.keysFile, "--correlation", "order-d"]);
    expect(human.stdout).toContain("⚠ checkpoint.uncovered_events: ");
    expect(human.stdout).toContain("⚠ 2 of its events follow the last checkpoint of their log");
    const json = JSON.parse((await cli(["check", "--policy", POLICY, cut, "--keys", log.keysFile, "--correlation", "order-d", "--json"])).stdout);
    expect(json.warnings.map((w: { reason: string }) => w.reason)).toEqual(["checkpoint.uncovered_events"]);
    expect(json.unattested).toEqual([{ correlation_id: "order-d", events: 2 }]);
  });

  it("bundle refuses it (exit 1, nothing written) unless --allow-unattested, and then does not claim the length is attested", async () => {
    const cut = cutLog();
    const out = join(tempDir(), "d.proof.tar");
    const args = ["bundle", cut, "--correlation", "order-d", "--policy", POLICY, "--keys", log.keysFile, "--out", out];
    const refused = await cli(args);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("⚠ checkpoint.uncovered_events: ");
    expect(refused.stderr).toContain("2 of the 2 events of order-d follow the last checkpoint of their log");
    expect(existsSync(out)).toBe(false);
    const allowed = await cli([...args, "--allow-unattested"]);
    expect(allowed.code).toBe(0);
    expect(existsSync(out)).toBe(true);
    expect(allowed.stdout).not.toContain("the bundle attests the flow's length");
    const json = JSON.parse((await cli([...args, "--allow-unattested", "--json"])).stdout);
    expect(json.unattested_events).toBe(2);
    expect(json.warnings).toHaveLength(1);
  });

  it("a flow whose events a checkpoint covers is bundled as before", async () => {
    const out = join(tempDir(), "a.proof.tar");
    const made = await cli(["bundle", log.directory, "--correlation", "order-a", "--policy", POLICY, "--keys", log.keysFile, "--out", out]);
    expect(made.code).toBe(0);
    expect(made.stderr).toBe("");
  });
});
