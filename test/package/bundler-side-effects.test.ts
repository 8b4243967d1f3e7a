/**
 * `policies` must survive a bundler's tree shaking. The entries fill the
 * core's policy extension point as they load, and package.json lists them
 * in "sideEffects" so a bundler keeps that call even when an app imports a
 * name the entry only re-exports (here: IntentProofClient). Bundles the
 * built package (dist/, through its own name) with rolldown and runs the
 * result in a child process.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { rolldown } from "rolldown";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const POLICY = join(REPO_ROOT, "spec-v1", "reference-policies", "payments", "refund-with-notification", "v1", "policy.json");
const EXTERNAL = [/^node:/, /^@nestjs\//, /^rxjs(\/|$)/, /^reflect-metadata(\/|$)/, /^express(\/|$)/];

// Inside the repository, so the bundle's external imports resolve from its node_modules.
let dir: string;
beforeAll(() => {
  mkdirSync(join(REPO_ROOT, ".tmp"), { recursive: true });
  dir = mkdtempSync(join(REPO_ROOT, ".tmp", "bundler-side-effects-"));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function bundleAndRun(name: string, source: string): Promise<{ code: string; stdout: string }> {
  const input = join(dir, `${name}.mjs`);
  writeFileSync(input, source);
  const bundle = await rolldown({ input, platform: "node", external: EXTERNAL });
  const { output } = await bundle.generate({ format: "esm", codeSplitting: false });
  await bundle.close();
  const code = output[0].code;
  const file = join(dir, `${name}.bundle.mjs`);
  writeFileSync(file, code);
  return { code, stdout: execFileSync(process.execPath, [file], { encoding: "utf8", env: { ...process.env, POLICY } }).trim() };
}

describe("a bundled app keeps the policy layer's registration", () => {
  it("package.json lists the entries that register it as side effects", () => {
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { sideEffects: unknown };
    expect(manifest.sideEffects).toEqual(["./dist/index.js", "./dist/nestjs.js"]);
  });

  it("an app that imports only IntentProofClient from intentproof gets its flow monitor", async () => {
    const { code, stdout } = await bundleAndRun(
      "client-only",
      `import { readFileSync } from "node:fs";
import { IntentProofClient } from "intentproof";
const client = new IntentProofClient({ policies: [JSON.parse(readFileSync(process.env.POLICY, "utf8"))] });
console.log(client.exporters.map((exporter) => exporter.constructor.name).join(","));
await client.shutdown();
`,
    );
    expect(code).toContain("installClientPolicies()");
    expect(stdout).toBe("MemoryExporter,FlowMonitor");
  });

  it("an app that imports only IntentProofModule from intentproof/nestjs can configure policies", async () => {
    const { code, stdout } = await bundleAndRun(
      "nest-only",
      `import "reflect-metadata";
import { readFileSync } from "node:fs";
import { IntentProofModule } from "intentproof/nestjs";
const dynamicModule = IntentProofModule.forRoot({ policies: [JSON.parse(readFileSync(process.env.POLICY, "utf8"))] });
console.log(typeof dynamicModule.module);
`,
    );
    expect(code).toContain("installClientPolicies()");
    expect(stdout).toBe("function");
  });
});
