/** Records and bundle members nested ~10,000 deep: bad input reported (exit 2 or a finding), never a stack overflow. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkCommand } from "../../src/cli/commands/check.js";
import { runCli } from "../../src/cli/main.js";
import { runCommand } from "./support/cli.js";
import { recordSteps } from "./support/record-steps.js";
import { archive, saveFile, signedBundle, withMember } from "./support/signed-bundle.js";
import { INSTANCE, signRecords, writeEvidenceDir } from "./support/signed-evidence.js";

const POLICY = new URL("../../spec-v1/reference-policies/payments/refund-with-notification/v1/policy.json", import.meta.url).pathname;
const deep = (levels: number): string => `${"[".repeat(levels)}${"]".repeat(levels)}`;

async function verifyBundle(path: string, keys: string) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(["verify", path, "--keys", keys], { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

describe("deeply nested input", () => {
  it("check without --keys: a record nested 10,000 deep is unusable input naming its line (exit 2)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "deep-check-"));
    const records = signRecords(recordSteps("order-1", [{ action: "payments.refund.execute" }]));
    const evidence = writeEvidenceDir(join(dir, "evidence"), records);
    const file = join(evidence, INSTANCE, "events-000001.jsonl");
    writeFileSync(file, readFileSync(file, "utf8").replace('"output":', `"output":${deep(10_000)},"x":`));
    const result = await runCommand(checkCommand, ["--policy", POLICY, evidence]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/events-000001\.jsonl:1: JCS: the value is nested too deeply/);
  });

  it.each([
    ["policy.json", `{"a":${deep(10_000)}}\n`, "policy.invalid"],
    ["run.json", `{"a":${deep(10_000)}}\n`, "run.schema_invalid"],
    ["flow.json", `{"a":${deep(10_000)}}\n`, "flow.schema_invalid"],
  ])("bundle verify: a %s nested 10,000 deep is a failing finding (exit 1)", async (member, data, code) => {
    const bundle = await signedBundle();
    const path = saveFile(bundle.dir, "deep.proof.tar", archive(withMember(bundle.members, member, data)));
    const result = await verifyBundle(path, bundle.keys);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`✗ ${code}: ${member} is not JSON, or nested deeper than 2000 levels`);
  });

  it("bundle verify: a manifest.json nested 10,000 deep is bundle.manifest_unreadable (exit 1)", async () => {
    const bundle = await signedBundle();
    const manifest = bundle.members.get("manifest.json")!.toString().replace('"schema"', `"deep": ${deep(10_000)},\n  "schema"`);
    const path = saveFile(bundle.dir, "deep.proof.tar", archive(withMember(bundle.members, "manifest.json", manifest)));
    const result = await verifyBundle(path, bundle.keys);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^✗ fail: bundle\.manifest_unreadable/);
  });

  it("bundle verify: an event line nested 10,000 deep is bundle.events_unreadable (exit 1); 1,000 deep is still read", async () => {
    const bundle = await signedBundle();
    const events = bundle.members.get("events.jsonl")!.toString();
    const path = saveFile(bundle.dir, "deep.proof.tar", archive(withMember(bundle.members, "events.jsonl", events.replace('"output":', `"output":${deep(10_000)},"x":`))));
    const result = await verifyBundle(path, bundle.keys);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("bundle.events_unreadable: 1 line(s) of events.jsonl are not JSON objects");
    const shallow = saveFile(bundle.dir, "shallow.proof.tar", archive(withMember(bundle.members, "events.jsonl", events.replace('"output":', `"output":${deep(1000)},"x":`))));
    expect((await verifyBundle(shallow, bundle.keys)).stdout).not.toContain("bundle.events_unreadable");
  });
});
