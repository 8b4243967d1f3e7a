/**
 * NestJS 11 (CommonJS) compatibility, as a user gets it: a plain CommonJS
 * Nest 11 app (test/compat/nest11/app.cjs, its own pinned dependencies)
 * `require`s the packed `intentproof` package. Our ESM build then imports
 * `@nestjs/common` / `@nestjs/core`, which resolve to the app's Nest 11
 * CommonJS files, so its named imports rely on Node detecting Nest 11's
 * exports. The repo itself develops against Nest 12 (ESM), which this test
 * must not touch: the package is extracted as a real copy into the app's
 * node_modules (a symlink would resolve the peers from the repo root).
 * `npm test` builds dist/ first (pretest).
 */
import { rmSync } from "node:fs";
import { join, sep } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExecutionEvent } from "../../src/index.js";
import { expectValidEvent } from "../support/event-validator.js";
import { installLocked, installPacked, REPO_ROOT, run } from "./support/compat-app.js";

const APP_DIR = join(REPO_ROOT, "test", "compat", "nest11");
const NODE_MODULES = join(APP_DIR, "node_modules");

interface AppSummary {
  nestCommonVersion: string;
  nestCoreVersion: string;
  nestCommonPath: string;
  intentproofPath: string;
  nestResolvedForIntentproof: string[];
  inboundId: string;
  status: number;
  echoedHeader: string | null;
  body: Record<string, unknown>;
  events: ExecutionEvent[];
}

let scratch: string | undefined;
let summary: AppSummary;

beforeAll(() => {
  installLocked(APP_DIR);
  scratch = installPacked(APP_DIR);
  const stdout = run(process.execPath, ["app.cjs"], APP_DIR);
  summary = JSON.parse(stdout.trim().split("\n").pop()!) as AppSummary;
}, 180_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("a NestJS 11 CommonJS app using the packed package", () => {
  it("really runs on Nest 11 from its own node_modules, with the packed copy of intentproof", () => {
    expect(summary.nestCommonVersion).toMatch(/^11\./);
    expect(summary.nestCoreVersion).toMatch(/^11\./);
    expect(summary.nestCommonPath.startsWith(NODE_MODULES + sep)).toBe(true);
    expect(summary.intentproofPath).toBe(join(NODE_MODULES, "intentproof", "dist", "nestjs.js"));
    // Our ESM code imports the app's Nest 11 CommonJS, not the repo's Nest 12.
    expect(summary.nestResolvedForIntentproof).toEqual([
      join(NODE_MODULES, "@nestjs", "common", "index.js"),
      join(NODE_MODULES, "@nestjs", "core", "index.js"),
    ]);
  });

  it("serves the decorated handler and echoes the inbound correlation id", () => {
    expect(summary.status).toBe(201);
    expect(summary.echoedHeader).toBe(summary.inboundId);
    expect(summary.body).toEqual({ refundId: "re_pi_123", amountCents: 500, correlationId: summary.inboundId });
  });

  it("records the handler and the service method as valid events sharing the inbound id", () => {
    expect(summary.events).toHaveLength(2);
    for (const event of summary.events) expectValidEvent(event);

    const handler = summary.events.find((e) => e.action === "refunds.create");
    const service = summary.events.find((e) => e.action === "stripe.refund.create");
    expect(service).toMatchObject({
      correlationId: summary.inboundId,
      intent: "Return captured funds to the customer",
      status: "ok",
      inputs: { 0: { paymentIntentId: "pi_123", amountCents: 500 } },
      output: { refundId: "re_pi_123", amountCents: 500 },
      attributes: { service: "nest11-compat" },
    });
    expect(handler).toMatchObject({
      correlationId: summary.inboundId,
      intent: "Initiate refund",
      status: "ok",
      inputs: { 0: { paymentIntentId: "pi_123", amountCents: 500 }, 1: summary.inboundId },
      attributes: {
        service: "nest11-compat",
        "http.method": "POST",
        "http.route": "/refunds",
        "http.status_code": 201,
      },
    });
  });
});
