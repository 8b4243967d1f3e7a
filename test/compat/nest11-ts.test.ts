/**
 * A classic NestJS 11 TypeScript project, as `nest new` laid it out for
 * years (test/compat/nest11-ts: TypeScript 5.9, `module: commonjs`,
 * `experimentalDecorators`, `emitDecoratorMetadata`, `strict`), installs the
 * packed package, is compiled with `tsc` and run with `node`, once with
 * `moduleResolution` unset and once with `node10`. It imports `intentproof`,
 * `intentproof/express` and `intentproof/nestjs`, serves one request through
 * Nest and one through a plain Express app, and prints what was recorded.
 * The same sources also type-check under node16, nodenext and bundler; and
 * without the package's typesVersions and CommonJS declarations, node10 and
 * node16 fail as they did before (so the test sees what those fields do).
 * `npm test` builds dist/ first (pretest).
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExecutionEvent } from "../../src/index.js";
import { expectValidEvent } from "../support/event-validator.js";
import { installLocked, installPacked, REPO_ROOT, run, runAsync } from "./support/compat-app.js";

const APP_DIR = join(REPO_ROOT, "test", "compat", "nest11-ts");
const NODE_MODULES = join(APP_DIR, "node_modules");
const TSC = join(NODE_MODULES, "typescript", "bin", "tsc");

interface Exchange {
  status: number;
  echoedHeader: string | null;
  body: Record<string, unknown>;
}

interface AppSummary {
  typescript: string;
  intentproofPath: string;
  nestCommonVersion: string;
  sameClassAcrossImportAndRequire: boolean;
  instanceofAcrossImportAndRequire: boolean;
  refund: Exchange;
  order: Exchange;
  events: ExecutionEvent[];
}

// moduleResolution unset (tsconfig.json, as nest new wrote it) and node10: both compiled and run.
const BUILDS = { unset: { project: "tsconfig.json", outDir: "dist" }, node10: { project: "tsconfig.node10.json", outDir: "dist-node10" } };
// Type-checked only: the same sources under the newer resolvers.
const TYPECHECKED = ["tsconfig.node16.json", "tsconfig.nodenext.json", "tsconfig.bundler.json"];

let scratch: string | undefined;
let typescriptVersion: string;
const summaries: Record<string, AppSummary> = {};
const typecheckErrors: Record<string, string> = {};

function tsc(project: string, ...flags: string[]): Promise<string> {
  return runAsync(process.execPath, [TSC, "-p", project, ...flags], APP_DIR);
}

/** tsc's diagnostics for a project, "" when it compiles. */
async function tscErrors(project: string, ...flags: string[]): Promise<string> {
  try {
    await tsc(project, ...flags);
    return "";
  } catch (error) {
    return (error as Error).message;
  }
}

async function buildAndRun(name: string, project: string, outDir: string): Promise<void> {
  rmSync(join(APP_DIR, outDir), { recursive: true, force: true });
  await tsc(project);
  const stdout = await runAsync(process.execPath, [join(outDir, "main.js")], APP_DIR, { FIXTURE_TYPESCRIPT: typescriptVersion });
  summaries[name] = JSON.parse(stdout.trim().split("\n").pop()!) as AppSummary;
}

beforeAll(async () => {
  installLocked(APP_DIR);
  scratch = installPacked(APP_DIR);
  typescriptVersion = (JSON.parse(readFileSync(join(NODE_MODULES, "typescript", "package.json"), "utf8")) as { version: string }).version;
  // Independent compilations, side by side: each tsc spends most of its time parsing the same declarations.
  await Promise.all([
    ...Object.entries(BUILDS).map(([name, { project, outDir }]) => buildAndRun(name, project, outDir)),
    ...TYPECHECKED.map(async (project) => {
      typecheckErrors[project] = await tscErrors(project);
    }),
  ]);
}, 240_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("a classic CommonJS NestJS 11 TypeScript project using the packed package", () => {
  it("compiles with the project's own TypeScript 5.9 and runs on Nest 11 with the packed copy", () => {
    expect(typescriptVersion).toMatch(/^5\.9\./);
    for (const summary of Object.values(summaries)) {
      expect(summary.nestCommonVersion).toMatch(/^11\./);
      expect(summary.intentproofPath).toBe(join(NODE_MODULES, "intentproof", "dist", "index.js"));
    }
  });

  for (const name of Object.keys(BUILDS)) {
    describe(`moduleResolution ${name}`, () => {
      it("require() and import reach one copy of the core: same class, same default client, instanceof holds", () => {
        expect(summaries[name]!.sameClassAcrossImportAndRequire).toBe(true);
        expect(summaries[name]!.instanceofAcrossImportAndRequire).toBe(true);
      });

      it("Nest: the decorated handler and service record valid events under the inbound id", () => {
        const { refund, events } = summaries[name]!;
        expect(refund).toEqual({
          status: 201,
          echoedHeader: "nest11-ts-0001",
          body: { refundId: "re_pi_123", amountCents: 500, correlationId: "nest11-ts-0001" },
        });
        const nestEvents = events.filter((e) => e.correlationId === "nest11-ts-0001");
        expect(nestEvents.map((e) => e.action).sort()).toEqual(["refunds.create", "stripe.refund.create"]);
        for (const event of nestEvents) expectValidEvent(event);
        expect(nestEvents.find((e) => e.action === "refunds.create")).toMatchObject({
          status: "ok",
          attributes: { service: "nest11-ts", "http.method": "POST", "http.route": "/refunds", "http.status_code": 201 },
        });
        expect(nestEvents.find((e) => e.action === "stripe.refund.create")).toMatchObject({
          status: "ok",
          inputs: { 0: { paymentIntentId: "pi_123", amountCents: 500 } },
          output: { refundId: "re_pi_123", amountCents: 500 },
        });
      });

      it("Express: the recorded route and the wrapped call record valid events under the inbound id", () => {
        const { order, events } = summaries[name]!;
        expect(order).toEqual({ status: 200, echoedHeader: "express-ts-0001", body: { orderId: "ORD-7", amountCents: 700 } });
        const expressEvents = events.filter((e) => e.correlationId === "express-ts-0001");
        expect(expressEvents.map((e) => e.action).sort()).toEqual(["orders.get", "orders.show"]);
        for (const event of expressEvents) expectValidEvent(event);
        expect(expressEvents.find((e) => e.action === "orders.show")).toMatchObject({
          status: "ok",
          inputs: { params: { orderId: "ORD-7" } },
          attributes: { "http.route": "/orders/:orderId", "http.status_code": 200 },
        });
        expect(events).toHaveLength(4);
      });
    });
  }

  for (const project of TYPECHECKED) {
    it(`the same sources type-check under ${project.split(".")[1]}`, () => {
      expect(typecheckErrors[project]).toBe("");
    });
  }

  it("without typesVersions and the CommonJS declarations, node10 and node16 fail (what those fields fix)", async () => {
    const manifestPath = join(NODE_MODULES, "intentproof", "package.json");
    const original = readFileSync(manifestPath, "utf8");
    const stripped = JSON.parse(original) as {
      typesVersions?: unknown;
      exports: Record<string, { import?: { types: string }; require?: { types: string } } | string>;
    };
    delete stripped.typesVersions;
    for (const target of Object.values(stripped.exports)) {
      if (typeof target !== "string" && target.require && target.import) target.require.types = target.import.types;
    }
    writeFileSync(manifestPath, JSON.stringify(stripped));
    try {
      const [node10, node16] = await Promise.all([
        tscErrors("tsconfig.node10.json", "--noEmit"),
        tscErrors("tsconfig.node16.json"),
      ]);
      expect(node10).toContain("error TS2307: Cannot find module 'intentproof/nestjs'");
      expect(node16).toContain("error TS1479");
    } finally {
      writeFileSync(manifestPath, original);
    }
  }, 60_000);
});

