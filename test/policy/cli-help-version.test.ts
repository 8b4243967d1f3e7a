/** Top-level help and --version; a bundle named by content, whatever its file name; --checkpoint on a bundle. */
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { VERSION } from "../../src/core/version.js";
import { signedBundle } from "./support/signed-bundle.js";

async function cli(args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

describe("intentproof help, version and bundle detection", () => {
  it("--version prints the package version", async () => {
    expect(await cli(["--version"])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
  });

  it("--help lists verify's --checkpoint", async () => {
    expect((await cli(["--help"])).stdout).toContain("--checkpoint <");
  });

  it("a bundle saved under another name is verified as a bundle", async () => {
    const bundle = await signedBundle();
    const renamed = join(bundle.dir, "r5.bin");
    copyFileSync(bundle.path, renamed);
    const result = await cli(["verify", renamed, "--keys", bundle.keys]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^✓ pass: bundle\.verify_pass/);
  });

  it("verify <bundle> --checkpoint is a usage error with the usage line", async () => {
    const bundle = await signedBundle();
    const result = await cli(["verify", bundle.path, "--keys", bundle.keys, "--checkpoint", "x.json"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--checkpoint applies to an evidence log");
    expect(result.stderr).toContain("usage: intentproof verify");
  });

  it("an unknown option of check prints the usage line after parseArgs's message", async () => {
    const result = await cli(["check", "--bogus"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("usage: intentproof check");
  });
});
