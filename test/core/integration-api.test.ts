// The start/settle steps of execution.ts that the Express and Nest integrations reuse.
import { describe, expect, it, vi } from "vitest";
import { createIntentProofClient, getCorrelationId, type ExecutionEvent } from "../../src/index.js";
import { callRecorded, tryStartExecution, type Execution, type Settlement } from "../../src/core/execution.js";
import { prepareWrap } from "../../src/core/wrap-plan.js";
import { CheckedExporter } from "../support/event-validator.js";

function setup() {
  const checked = new CheckedExporter();
  const failures: unknown[] = [];
  const client = createIntentProofClient({ exporters: [checked], onExporterError: (error) => failures.push(error) });
  const plan = prepareWrap({ intent: "Handle a request", action: "integration.handle" }, "test");
  return { client, plan, failures, events: () => checked.getEvents() as ExecutionEvent[] };
}

/** A settlement that adds an attribute, as the Nest HTTP mapping does. */
function taggingSettlement(log: string[]): Settlement {
  return {
    succeed(execution: Execution, value: unknown) {
      log.push("succeed");
      execution.succeed(value, { "test.tag": "ok" });
    },
    fail(execution: Execution, error: unknown) {
      log.push("fail");
      execution.fail(error, { code: "418", attributes: { "test.tag": "error" } });
    },
  };
}

describe("integration API", () => {
  it("callRecorded settles a sync value through the settlement, inside the execution's scope", () => {
    const { client, plan, events } = setup();
    const log: string[] = [];
    const execution = tryStartExecution(client, plan, ["a"])!;
    let seenId: string | undefined;
    const result = callRecorded(execution, (x: string) => ((seenId = getCorrelationId()), x + "!"), undefined, ["a"], taggingSettlement(log));
    expect(result).toBe("a!");
    expect(log).toEqual(["succeed"]);
    expect(seenId).toBe(execution.correlationId);
    expect(events()[0]).toMatchObject({ status: "ok", output: "a!", inputs: { 0: "a" }, attributes: { "test.tag": "ok" } });
    expect(execution.isSettled).toBe(true);
  });

  it("callRecorded settles a sync throw, then rethrows the same error", () => {
    const { client, plan, events } = setup();
    const log: string[] = [];
    const boom = new Error("boom");
    const execution = tryStartExecution(client, plan, [])!;
    expect(() => callRecorded(execution, () => { throw boom; }, undefined, [], taggingSettlement(log))).toThrow(boom);
    expect(log).toEqual(["fail"]);
    expect(events()[0]).toMatchObject({ status: "error", error: { message: "boom", code: "418" } });
  });

  it("callRecorded returns a native promise as is and settles when it settles", async () => {
    const { client, plan, events } = setup();
    const execution = tryStartExecution(client, plan, [])!;
    const promise = Promise.resolve(7);
    expect(callRecorded(execution, () => promise, undefined, [])).toBe(promise);
    await promise;
    await Promise.resolve();
    expect(events()[0]).toMatchObject({ status: "ok", output: 7 });
  });

  it("callRecorded adopts a foreign thenable once", async () => {
    const { client, plan, events } = setup();
    const then = vi.fn((resolve: (value: number) => void) => resolve(3));
    const execution = tryStartExecution(client, plan, [])!;
    const returned = callRecorded(execution, () => ({ then }), undefined, []) as Promise<number>;
    await expect(returned).resolves.toBe(3);
    expect(then).toHaveBeenCalledTimes(1);
    expect(events()[0]).toMatchObject({ status: "ok", output: 3 });
  });

  it("an adopt hook may claim a result shape first (Nest: Observables), and decline others", () => {
    const { client, plan, events } = setup();
    const claimed = { kind: "stream" };
    const execution = tryStartExecution(client, plan, [])!;
    const replacement = { kind: "recorded stream" };
    expect(callRecorded(execution, () => claimed, undefined, [], undefined, (result) => (result === claimed ? replacement : undefined))).toBe(replacement);
    expect(events()).toHaveLength(0);
    execution.succeed("done");
    expect(events()[0]).toMatchObject({ output: "done" });

    const other = tryStartExecution(client, plan, [])!;
    expect(callRecorded(other, () => ({ plain: true }), undefined, [], undefined, () => undefined)).toEqual({ plain: true });
    expect(events()).toHaveLength(2);
  });

  it("the first settle wins", () => {
    const { client, plan, events } = setup();
    const execution = tryStartExecution(client, plan, [])!;
    execution.fail(new Error("first"));
    execution.succeed("second");
    expect(events()).toHaveLength(1);
    expect(events()[0]!.status).toBe("error");
  });

  it("tryStartExecution reports a telemetry failure and returns undefined; a wrapped call then runs bare", () => {
    const { client, plan, failures, events } = setup();
    vi.spyOn(plan, "resolve").mockImplementation(() => {
      throw new Error("telemetry broke");
    });
    expect(tryStartExecution(client, plan, [])).toBeUndefined();
    expect(failures).toEqual([new Error("telemetry broke")]);
    expect(events()).toHaveLength(0);
  });
});
