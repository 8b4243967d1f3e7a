/**
 * The objects an event is made of are plain objects to every observer, and
 * are built so that V8 does not move their allocation to the old generation
 * when an exporter keeps events (src/core/event-objects.ts says why).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { createIntentProofClient, type ExecutionEvent } from "../../src/index.js";
import { CheckedExporter, expectValidEvent } from "../support/event-validator.js";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const FIXTURE = fileURLToPath(new URL("./fixtures/kept-events.mjs", import.meta.url));

/** Events as built (the only exporter gets the original, not a copy), each checked against the schema and its rules. */
function recordedEvents(): ExecutionEvent[] {
  const exporter = new CheckedExporter();
  const client = createIntentProofClient({ exporters: [exporter] });
  const ok = client.wrap({ intent: "Refund", action: "refunds.create" }, (input: { orderId: string }, note?: string) => ({
    refundId: `rf_${input.orderId}`,
    note,
  }));
  const failing = client.wrap({ intent: "Refund", action: "refunds.refuse" }, (_a: number, _b: number, _c: number) => {
    throw Object.assign(new Error("not refundable", { cause: new RangeError("too late") }), { code: "E_LATE" });
  });
  ok({ orderId: "o1" });
  ok({ orderId: "o2" }, "second argument");
  expect(() => failing(1, 2, 3)).toThrow("not refundable");
  return exporter.getEvents();
}

function expectPlain(value: unknown): void {
  expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  expect(inspect(value, { depth: 0 }).startsWith("{")).toBe(true);
}

describe("the objects an event is made of", () => {
  it("are plain objects, keys in the spec's order", () => {
    const [one, two, failed] = recordedEvents();
    for (const event of [one!, two!, failed!]) {
      expectPlain(event);
      expectPlain(event.inputs);
      expect(JSON.parse(JSON.stringify(event))).toEqual(event);
      expect(structuredClone(event)).toEqual(event);
    }
    expect(Object.keys(one!)).toEqual(["id", "correlationId", "intent", "action", "inputs", "output", "status", "startedAt", "completedAt", "durationMs"]);
    expect(one!.inputs).toEqual({ 0: { orderId: "o1" } });
    expect(two!.inputs).toEqual({ 0: { orderId: "o2" }, 1: "second argument" });
    expect(failed!.inputs).toEqual({ 0: 1, 1: 2, 2: 3 });
    expect(Object.keys(failed!)).toEqual(["id", "correlationId", "intent", "action", "inputs", "error", "status", "startedAt", "completedAt", "durationMs"]);
    expectPlain(failed!.error);
    expectPlain(failed!.error!.cause);
    expect(failed!.error).toMatchObject({ name: "Error", message: "not refundable", code: "E_LATE", cause: { name: "RangeError", message: "too late" } });
  });

  it("are not moved to the old generation by V8 when an exporter keeps the last 1,000 events", () => {
    if (!existsSync(join(REPO_ROOT, "dist", "index.js"))) throw new Error("the child runs the built package: run `npm run build` first");
    const tenured = (mode: string): number => {
      const child = spawnSync(process.execPath, ["--trace-pretenuring-statistics", FIXTURE, mode], {
        cwd: REPO_ROOT,
        env: { ...process.env, NODE_OPTIONS: "" },
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(child.status, child.stderr).toBe(0);
      const done = /^done (\S+) (.*)$/m.exec(child.stdout);
      expect(done?.[1]).toBe(mode);
      // The child's last ok and error events, as its exporter kept them.
      if (mode === "recorded") {
        const lastEvents = JSON.parse(done![2]!) as ExecutionEvent[];
        expect(lastEvents.map((event) => event.status)).toEqual(["ok", "error"]);
        for (const event of lastEvents) expectValidEvent(event);
      }
      return child.stdout.split("\n").filter((line) => /=> tenure$/.test(line.trim())).length;
    };
    // The control: the same shapes built by object literals and kept the same
    // way are moved, so this Node's trace shows the decision. V8 decides from
    // what survives each young collection, which a loaded host shifts (a CI
    // run once saw no switch in one child): up to three children.
    // up to three pairs, each recorded child judged next to a control that saw it.
    for (let attempt = 0; attempt < 3; attempt++) {
      if (tenured("literal") === 0) continue;
      expect(tenured("recorded")).toBe(0);
      return;
    }
    expect.fail("the control's literals were never moved: this Node's trace shows no pretenuring decision, so the test cannot judge");
  }, 240_000);
});
