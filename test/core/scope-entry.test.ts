import { AsyncLocalStorage } from "node:async_hooks";
import { setImmediate as nextTurn } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { callInScope, currentScope, runInScope } from "../../src/core/correlation.js";
import { createIntentProofClient, getCorrelationId } from "../../src/index.js";
import { CheckedExporter } from "../support/event-validator.js";

// Entering a correlation scope takes a different route on Node 24 (context
// frames: one frame through an AsyncResource) than on Node 20 (async hooks:
// AsyncLocalStorage.run). CI runs this file on both; the behaviour must match.
describe("entering a correlation scope", () => {
  const other = new AsyncLocalStorage<string>();

  it("keeps the caller's other async-context stores inside, and restores both after a return or a throw", () => {
    other.run("outer-value", () => {
      const seen = callInScope({ correlationId: "inside" }, () => [currentScope()?.correlationId, other.getStore()], undefined, []);
      expect(seen).toEqual(["inside", "outer-value"]);
      expect(currentScope()).toBeUndefined();
      expect(other.getStore()).toBe("outer-value");

      expect(() =>
        runInScope({ correlationId: "throws" }, () => {
          throw new Error("boom");
        }),
      ).toThrow("boom");
      expect(currentScope()).toBeUndefined();
      expect(other.getStore()).toBe("outer-value");
    });
  });

  it("passes this and the arguments through", () => {
    const target = { base: 40, add(this: { base: number }, a: number, b: number) { return this.base + a + b; } };
    expect(callInScope({ correlationId: "x" }, target.add, target, [1, 1])).toBe(42);
  });

  it("is seen by work the call leaves behind: awaits, timers, and stores entered inside", async () => {
    const late: unknown[] = [];
    await runInScope({ correlationId: "root" }, async () => {
      await nextTurn();
      late.push(getCorrelationId());
      setTimeout(() => late.push(getCorrelationId()), 0);
      other.run("nested", () => late.push([getCorrelationId(), other.getStore()]));
      await new Promise((resolve) => setTimeout(resolve, 1));
    });
    expect(late).toEqual(["root", ["root", "nested"], "root"]);
    expect(getCorrelationId()).toBeUndefined();
  });

  it("gives root wraps that run concurrently their own ids, nested wraps inherit them", async () => {
    const checked = new CheckedExporter();
    const client = createIntentProofClient({ exporters: [checked] });
    const inner = client.wrap({ intent: "inner", action: "inner" }, async () => {
      await nextTurn();
      return getCorrelationId();
    });
    const outer = client.wrap({ intent: "outer", action: "outer" }, async () => {
      await nextTurn();
      return inner();
    });
    const seen = await Promise.all([outer(), outer(), outer()]);
    expect(new Set(seen).size).toBe(3);
    const events = checked.getEvents();
    for (const id of seen) {
      expect(events.filter((e) => e.correlationId === id).map((e) => e.action).sort()).toEqual(["inner", "outer"]);
    }
  });
});
