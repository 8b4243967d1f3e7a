/**
 * YAML policies need the optional `yaml` package. Without it (the built
 * package copied where no node_modules can be found), loading a YAML policy
 * fails with an error that says what to install, and JSON still loads.
 */
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const ROOT = new URL("../../", import.meta.url).pathname;
const PACK = join(ROOT, "spec-v1/reference-policies/payments/refund-with-notification/v1");

describe("optional yaml", () => {
  it.runIf(existsSync(join(ROOT, "dist/index.js")))("without the package: a clear error for YAML, JSON unaffected", async () => {
    const dir = mkdtempSync(join(tmpdir(), "no-yaml-"));
    cpSync(join(ROOT, "dist"), join(dir, "dist"), { recursive: true });
    cpSync(join(ROOT, "spec-v1"), join(dir, "spec-v1"), { recursive: true });
    const script = `
      const { loadPolicyFile } = await import(${JSON.stringify(join(dir, "dist/index.js"))});
      const json = await loadPolicyFile(${JSON.stringify(join(PACK, "policy.json"))});
      let message = "no error";
      try { await loadPolicyFile(${JSON.stringify(join(PACK, "policy.yaml"))}); } catch (e) { message = e.message; }
      console.log(JSON.stringify({ json: json.policy_id, message }));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], { cwd: dir });
    const result = JSON.parse(stdout);
    expect(result.json).toBe("reference.payments.refund-with-notification.v1");
    expect(result.message).toBe(`${join(PACK, "policy.yaml")}: reading YAML policies needs the optional "yaml" package (npm install yaml), or give the policy as JSON`);
  });
});
