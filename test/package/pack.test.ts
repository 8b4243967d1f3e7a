/**
 * The package as users get it: `npm pack` the built repo, install the
 * tarball into a scratch app (peers linked from this repo's node_modules),
 * then load every entry with `import` and with `require`, check the
 * tarball's contents, pin the export names, and typecheck a TypeScript
 * consumer against the packed declarations (nodenext ESM and CJS, bundler).
 * `npm test` builds dist/ first (pretest).
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectValidEvent } from "../support/event-validator.js";
import { PUBLIC_EXPORTS } from "./public-api.js";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const FIXTURES = join(REPO_ROOT, "test", "package", "fixtures");
const TSC = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
const PEERS = [
  "express",
  "@nestjs/common",
  "@nestjs/core",
  "@nestjs/platform-express",
  "rxjs",
  "reflect-metadata",
  "@types/node",
  "@types/express",
];

interface PackResult {
  filename: string;
  files: Array<{ path: string }>;
}

interface ConsumerReport {
  exports: Record<string, string[]>;
  checks: Record<string, any>;
}

let scratch: string;
let app: string;
let packed: PackResult;

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_OPTIONS: "" } });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(" ")} failed:\n${e.stdout ?? ""}\n${e.stderr ?? ""}\n${e.message}`);
  }
}

function consumerReport(file: string): ConsumerReport {
  const stdout = run(process.execPath, [file], app);
  const line = stdout.trim().split("\n").pop()!;
  return JSON.parse(line) as ConsumerReport;
}

beforeAll(() => {
  if (!existsSync(join(REPO_ROOT, "dist", "index.js"))) {
    throw new Error("dist/ is missing: run `npm run build` (npm test does it in pretest)");
  }
  scratch = mkdtempSync(join(tmpdir(), "intentproof-pack-"));
  // --ignore-scripts: the build already ran; a prepack script must not rebuild under a running test.
  const output = run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", scratch], REPO_ROOT);
  packed = (JSON.parse(output.slice(output.indexOf("["))) as PackResult[])[0]!;

  app = join(scratch, "app");
  const installed = join(app, "node_modules", "intentproof");
  mkdirSync(installed, { recursive: true });
  run("tar", ["-xzf", join(scratch, packed.filename), "-C", installed, "--strip-components=1"], scratch);
  // Peers are links into this repo: Node resolves a link to its real path,
  // so their own dependencies come from the repo's node_modules.
  for (const peer of PEERS) {
    const link = join(app, "node_modules", peer);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(REPO_ROOT, "node_modules", peer), link, "dir");
  }
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "scratch-consumer", private: true, type: "module" }));
  for (const file of ["esm-consumer.mjs", "cjs-consumer.cjs"]) cpSync(join(FIXTURES, file), join(app, file));
  cpSync(join(FIXTURES, "consumer.ts.fixture"), join(app, "consumer.ts"));
  cpSync(join(FIXTURES, "consumer-cjs.cts.fixture"), join(app, "consumer-cjs.cts"));
}, 120_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("npm pack", () => {
  it("contains the built entries with types, the license, the readme and package.json, and no sources or tests", () => {
    const paths = packed.files.map((f) => f.path).sort();
    for (const entry of ["index", "express", "nestjs"]) {
      expect(paths).toContain(`dist/${entry}.js`);
      expect(paths).toContain(`dist/${entry}.d.ts`);
    }
    for (const file of ["LICENSE", "README.md", "package.json"]) expect(paths).toContain(file);
    expect(paths.filter((p) => /^(src|test|bench|sample-app|scripts|node_modules)\//.test(p))).toEqual([]);
    expect(paths.filter((p) => p.endsWith(".ts") && !p.endsWith(".d.ts"))).toEqual([]);
    expect(paths.filter((p) => /(^|\/)\.(env|npmrc|git)/.test(p) || p.endsWith(".tgz"))).toEqual([]);
  });

  it("every export target in the packed package.json exists in the tarball", () => {
    const manifest = JSON.parse(readFileSync(join(app, "node_modules", "intentproof", "package.json"), "utf8")) as {
      exports: Record<string, string | Record<string, string>>;
    };
    for (const target of Object.values(manifest.exports)) {
      for (const file of typeof target === "string" ? [target] : Object.values(target)) {
        expect(existsSync(join(app, "node_modules", "intentproof", file)), file).toBe(true);
      }
    }
  });
});

describe("the packed package in a scratch app", () => {
  it("ESM: every entry loads, exports exactly the pinned names, and works (core, Express, Nest)", () => {
    const report = consumerReport("esm-consumer.mjs");
    expect(report.exports).toEqual(Object.fromEntries(Object.entries(PUBLIC_EXPORTS).map(([k, v]) => [k, [...v].sort()])));
    const { checks } = report;
    expect(checks.wrapResult).toBe(5);
    expectValidEvent(checks.coreEvent);
    expect(checks.coreEvent).toMatchObject({ intent: "Add two numbers", action: "math.add", inputs: { 0: 2, 1: 3 }, output: 5 });
    expect(checks.version).toBe(JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).version);
    expect(checks.sameClassAcrossImportAndRequire).toBe(true);
    expect(checks.expressStatus).toBe(200);
    expect(checks.expressEchoedId).toBe("pack-express-1");
    expectValidEvent(checks.expressEvent);
    expect(checks.expressEvent).toMatchObject({ action: "ping", correlationId: "pack-express-1", status: "ok" });
    expect(checks.nestStatus).toBe(200);
    expectValidEvent(checks.nestEvent);
    expect(checks.nestEvent).toMatchObject({ action: "nest.ping", correlationId: "pack-nest-1", status: "ok" });
  });

  it("CommonJS: require() of every entry gives the same names and the same module instance as import", () => {
    const report = consumerReport("cjs-consumer.cjs");
    expect(report.exports).toEqual(Object.fromEntries(Object.entries(PUBLIC_EXPORTS).map(([k, v]) => [k, [...v].sort()])));
    expect(report.checks.wrapResult).toBe(42);
    expectValidEvent(report.checks.coreEvent);
    expect(report.checks).toMatchObject({
      defaultClientIsSingleton: true,
      forRootIsDynamicModule: true,
      middlewareIsFunction: true,
      sameClassAcrossImportAndRequire: true,
    });
  });

  const tsconfigs: Record<string, object> = {
    "nodenext (ESM and CJS files)": {
      module: "nodenext",
      moduleResolution: "nodenext",
      files: ["consumer.ts", "consumer-cjs.cts"],
    },
    bundler: { module: "preserve", moduleResolution: "bundler", files: ["consumer.ts"] },
  };
  for (const [name, { files, ...compilerOptions }] of Object.entries(tsconfigs) as Array<[string, { files: string[] }]>) {
    it(`a TypeScript consumer typechecks against the packed types (${name})`, () => {
      const project = join(app, `tsconfig.${name.split(" ")[0]}.json`);
      writeFileSync(
        project,
        JSON.stringify({
          compilerOptions: {
            ...compilerOptions,
            target: "ES2022",
            lib: ["ES2023"],
            types: ["node"],
            strict: true,
            noEmit: true,
            skipLibCheck: true,
            experimentalDecorators: true,
          },
          files,
        }),
      );
      run(process.execPath, [TSC, "-p", project], app);
    }, 60_000);
  }
});
