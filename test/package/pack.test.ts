/**
 * The package as users get it. A clone of this repository with no dist/ (the
 * files git sees: tracked and not ignored, so no build output; node_modules
 * linked from this repo, since an `npm ci` there would take minutes and test
 * npm rather than us) is packed with `npm pack`, whose `prepack` must build.
 * The tarball is installed into a scratch app (peers linked from this repo's
 * node_modules), every entry is loaded with `import` and with `require`, the
 * tarball's contents and export names are checked, its declarations carry no
 * `@internal` member, and a TypeScript consumer typechecks against them
 * (nodenext ESM and CJS, node16 CJS, bundler). TypeScript 5.9 with the classic
 * CommonJS settings is covered by test/compat/nest11-ts.test.ts.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectValidEvent } from "../support/event-validator.js";
import { declares, internalDeclarations } from "./internal-tags.js";
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
let clone: string;
let app: string;
let packed: PackResult;

// No shell; no NODE_OPTIONS (vitest's loader flags) and no npm_* variables
// (`npm test` exports its own project's settings) in the child.
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: "" };
  for (const key of Object.keys(env)) if (key.toLowerCase().startsWith("npm_")) delete env[key];
  return env;
}

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: childEnv() });
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

/** The working tree as a fresh clone has it: git's files (tracked, or new and not ignored), no build output. */
function cloneWithoutBuild(to: string): void {
  const listed = run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], REPO_ROOT);
  for (const file of listed.split("\0").filter(Boolean)) {
    // Deleted in the working tree but not yet committed; or a node_modules link git does not ignore.
    if (!existsSync(join(REPO_ROOT, file)) || file.split("/")[0] === "node_modules") continue;
    mkdirSync(dirname(join(to, file)), { recursive: true });
    cpSync(join(REPO_ROOT, file), join(to, file));
  }
  symlinkSync(join(REPO_ROOT, "node_modules"), join(to, "node_modules"), "dir");
}

function declarationFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return declarationFiles(path);
    return /\.d\.c?ts$/.test(entry.name) ? [path] : [];
  });
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "intentproof-pack-"));
  clone = join(scratch, "clone");
  cloneWithoutBuild(clone);
  if (existsSync(join(clone, "dist"))) throw new Error("the clone must start without dist/");
  // With scripts: prepack builds dist/ in the clone.
  const output = run("npm", ["pack", "--json", "--pack-destination", scratch], clone);
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
  for (const file of ["esm-consumer.mjs", "cjs-consumer.cjs", "policies-nest-consumer.mjs"]) cpSync(join(FIXTURES, file), join(app, file));
  cpSync(join(FIXTURES, "consumer.ts.fixture"), join(app, "consumer.ts"));
  cpSync(join(FIXTURES, "consumer-cjs.cts.fixture"), join(app, "consumer-cjs.cts"));
}, 180_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("npm pack", () => {
  it("builds first (prepack): packing a clone with no dist/ gives the built entries", () => {
    expect(existsSync(join(clone, "dist", "index.js"))).toBe(true);
    expect(packed.files.map((f) => f.path)).toEqual(expect.arrayContaining(["dist/index.js", "dist/cli.js", "dist/cjs/index.d.cts"]));
  });

  it("contains the built entries with types, the license, the readme and the docs it links, package.json, and no sources or tests", () => {
    const paths = packed.files.map((f) => f.path).sort();
    for (const entry of ["index", "express", "nestjs"]) {
      expect(paths).toContain(`dist/${entry}.js`);
      expect(paths).toContain(`dist/${entry}.d.ts`);
    }
    for (const file of ["LICENSE", "README.md", "package.json"]) expect(paths).toContain(file);
    // The README's links to docs/ work in node_modules too.
    const linked = [...readFileSync(join(REPO_ROOT, "README.md"), "utf8").matchAll(/\]\((docs\/[\w.-]+\.md)/g)].map((m) => m[1]!);
    expect(linked.length).toBeGreaterThan(5);
    for (const doc of linked) expect(paths).toContain(doc);
    expect(paths.filter((p) => /^(src|test|bench|sample-app|scripts|node_modules)\//.test(p))).toEqual([]);
    // The spec copies ship whole (their manifest lists every file), test vectors included.
    expect(paths.filter((p) => p.endsWith(".ts") && !p.endsWith(".d.ts") && !/^spec(-v1)?\//.test(p))).toEqual([]);
    expect(paths.filter((p) => /(^|\/)\.(env|npmrc|git)/.test(p) || p.endsWith(".tgz"))).toEqual([]);
  });

  it("every export target in the packed package.json exists in the tarball", () => {
    const manifest = JSON.parse(readFileSync(join(app, "node_modules", "intentproof", "package.json"), "utf8")) as {
      exports: Record<string, unknown>;
      typesVersions: Record<string, Record<string, string[]>>;
    };
    // Conditions nest ({ import: { types, default }, require: … }): every leaf is a file.
    const leaves = (target: unknown): string[] =>
      typeof target === "string" ? [target] : Object.values(target as Record<string, unknown>).flatMap(leaves);
    const targets = [...leaves(manifest.exports), ...Object.values(manifest.typesVersions["*"]!).flat()];
    expect(targets.length).toBeGreaterThan(10);
    // A pattern (the spec's data files) names a folder.
    for (const file of targets) expect(existsSync(join(app, "node_modules", "intentproof", file.replace(/\/\*$/, ""))), file).toBe(true);
    // Every entry's require and import conditions run the same file: one copy of the core.
    for (const [entry, target] of Object.entries(manifest.exports)) {
      if (typeof target === "string") continue;
      const { import: esm, require: cjs } = target as Record<string, { default: string }>;
      expect(cjs!.default, entry).toBe(esm!.default);
    }
  });
});

describe("the spec's data files, by package path", () => {
  it("the event schema loads by require and by import, with the same $id as the package's own copy", () => {
    const script = `
const { createRequire } = await import("node:module");
const required = createRequire(import.meta.url)("intentproof/spec/schema/execution_event.v1.schema.json");
const imported = (await import("intentproof/spec/schema/execution_event.v1.schema.json", { with: { type: "json" } })).default;
const v1 = createRequire(import.meta.url)("intentproof/spec-v1/schema/execution_event.v1.schema.json");
console.log(JSON.stringify([required.$id, imported.$id, v1.$id]));`;
    writeFileSync(join(app, "spec-paths.mjs"), script);
    const ids = JSON.parse(run(process.execPath, ["spec-paths.mjs"], app).trim()) as string[];
    const own = (path: string) => (JSON.parse(readFileSync(join(REPO_ROOT, path), "utf8")) as { $id: string }).$id;
    expect(ids).toEqual([own("spec/schema/execution_event.v1.schema.json"), own("spec/schema/execution_event.v1.schema.json"), own("spec-v1/schema/execution_event.v1.schema.json")]);
  });
});

describe("the packed declarations", () => {
  const tagged = internalDeclarations(join(REPO_ROOT, "src"));

  it("the sources mark internals with @internal, and the check below sees them in unstripped declarations", () => {
    expect(tagged.length).toBeGreaterThan(0);
    // Without stripInternal the same check must find every tagged name, or it proves nothing.
    const unstripped = join(scratch, "unstripped");
    run(process.execPath, [TSC, "-p", "tsconfig.json", "--emitDeclarationOnly", "--outDir", unstripped, "--sourceMap", "false"], REPO_ROOT);
    const missed = tagged.filter((d) => {
      const dts = join(unstripped, d.file.replace(/\.ts$/, ".d.ts"));
      return !existsSync(dts) || !declares(readFileSync(dts, "utf8"), d);
    });
    expect(missed).toEqual([]);
  }, 60_000);

  it("no .d.ts or .d.cts of the tarball declares an @internal member or mentions the tag", () => {
    const root = join(app, "node_modules", "intentproof", "dist");
    const files = declarationFiles(root);
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((file) => readFileSync(file, "utf8").includes("@internal")).map((f) => relative(root, f))).toEqual([]);
    const leaked = tagged.flatMap((d) =>
      [d.file.replace(/\.ts$/, ".d.ts"), join("cjs", d.file.replace(/\.ts$/, ".d.cts"))]
        .filter((dts) => existsSync(join(root, dts)) && declares(readFileSync(join(root, dts), "utf8"), d))
        .map((dts) => `${dts}: ${d.owner ? `${d.owner}.` : ""}${d.name}`),
    );
    expect(leaked).toEqual([]);
  });

  it("no declaration left in the tarball still refers to a stripped top-level @internal name", () => {
    // A kept signature naming a stripped type breaks the .d.ts for projects with skipLibCheck off.
    const root = join(app, "node_modules", "intentproof", "dist");
    const stripped = tagged.filter((d) => d.owner === undefined).map((d) => d.name);
    const dangling = declarationFiles(root).flatMap((file) => {
      const text = readFileSync(file, "utf8");
      return stripped.filter((name) => new RegExp(`(?<![\\w$.])${name.replace(/\$/g, "\\$")}(?![\\w$])`).test(text)).map((name) => `${relative(root, file)}: ${name}`);
    });
    expect(dangling).toEqual([]);
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

  it("a Nest app importing only intentproof/nestjs runs forRoot({ policies }): the refund without its receipt fails", () => {
    const { checks } = consumerReport("policies-nest-consumer.mjs");
    expect(checks).toMatchObject({ "pack-refund-complete": 201, "pack-refund-skipped": 201 });
    expect(checks.runs).toEqual([
      { correlationId: "pack-refund-complete", status: "pass", failed: [] },
      { correlationId: "pack-refund-skipped", status: "fail", failed: ["required step skipped: customer.notify.refund"] },
    ]);
  });

  const tsconfigs: Record<string, object> = {
    "nodenext (ESM and CJS files)": {
      module: "nodenext",
      moduleResolution: "nodenext",
      files: ["consumer.ts", "consumer-cjs.cts"],
    },
    "node16 (ESM and CJS files)": { module: "node16", moduleResolution: "node16", files: ["consumer.ts", "consumer-cjs.cts"] },
    bundler: { module: "preserve", moduleResolution: "bundler", files: ["consumer.ts"] },
  };
  for (const [name, { files, ...compilerOptions }] of Object.entries(tsconfigs) as Array<[string, { files: string[] }]>) {
    it(`a TypeScript consumer typechecks against the packed types (${name})`, () => {
      const project = join(app, `tsconfig.${name.replace(/\W+/g, "-")}.json`);
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
