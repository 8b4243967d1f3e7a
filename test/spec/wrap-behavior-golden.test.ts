import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { createIntentProofClient, runWithCorrelationId } from "../../src/index.js";
import type { ExecutionEvent, Exporter, WrapOptions } from "../../src/index.js";
import { CheckedExporter, isUuidV4 } from "../support/event-validator.js";

/**
 * Drives every line of spec/golden/wrap_behavior_cases.jsonl through the real
 * client. Each caseId maps to a driver below; a caseId without one fails, so a
 * new golden line cannot be silently ignored.
 */

interface WrapCase {
  caseId: string;
  effectiveOptions?: Record<string, unknown>;
  call?: { args: unknown[]; throws: boolean; return?: unknown; error?: { name: string; message: string } };
  parent?: { correlationId: string };
  exporters?: string[];
  expect: Record<string, unknown>;
}

const goldenText = readFileSync(new URL("../../spec/golden/wrap_behavior_cases.jsonl", import.meta.url), "utf8");
const cases = goldenText
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as WrapCase);

type Mode = "sync" | "async";
const MODES: Mode[] = ["sync", "async"];

/** Golden option names are the spec's; the one that is not a WrapOptions field is renamed. */
function wrapOptionsFor(golden: WrapCase, fallbackAction: string): WrapOptions {
  const { explicitCorrelationId, intent, action, ...rest } = golden.effectiveOptions ?? {};
  const options: Record<string, unknown> = {
    intent: typeof intent === "string" ? intent : `Conformance golden ${golden.caseId}`,
    action: typeof action === "string" ? action : fallbackAction,
    ...rest,
  };
  if (explicitCorrelationId !== undefined) options.correlationId = explicitCorrelationId;
  return options as unknown as WrapOptions;
}

function goldenError(spec: { name: string; message: string }): Error {
  const error = new Error(spec.message);
  error.name = spec.name;
  return error;
}

/** Calls `fn` and reports what the caller saw, for sync and async alike. */
async function outcomeOf(mode: Mode, fn: () => unknown): Promise<{ value?: unknown; thrown?: unknown }> {
  try {
    const value = fn();
    if (mode === "async") {
      expect(value).toBeInstanceOf(Promise);
      return { value: await value };
    }
    return { value };
  } catch (thrown) {
    return { thrown };
  }
}

// --- drivers -----------------------------------------------------------------

async function driveCall(golden: WrapCase): Promise<void> {
  const call = golden.call;
  expect(call, `${golden.caseId} needs a "call"`).toBeDefined();
  const expected = golden.expect;

  for (const mode of MODES) {
    const checked = new CheckedExporter();
    const client = createIntentProofClient({ exporters: [checked] });
    const options = wrapOptionsFor(golden, `conformance.golden.${golden.caseId}`);
    const thrownError = call!.throws ? goldenError(call!.error!) : undefined;
    const receivedArgs: unknown[][] = [];

    const body = (...args: unknown[]) => {
      receivedArgs.push(args);
      if (thrownError) throw thrownError;
      return structuredClone(call!.return);
    };
    const userFn = mode === "sync" ? body : async (...args: unknown[]) => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      return body(...args);
    };

    const wrapped = client.wrap(options, userFn);
    const outcome = await outcomeOf(mode, () => wrapped(...structuredClone(call!.args)));

    // The caller sees exactly what the function did.
    expect(receivedArgs).toEqual([call!.args]);
    if (thrownError) {
      expect(outcome.thrown, `${mode}: the caller must see the original error`).toBe(thrownError);
    } else {
      expect(outcome.thrown, `${mode}: unexpected throw`).toBeUndefined();
      expect(outcome.value).toEqual(call!.return);
    }

    await client.flush();
    const events = checked.getEvents();
    expect(events, `${mode}: exactly one event per invocation`).toHaveLength(1);
    const event = events[0]!;

    expect(event.intent).toBe(options.intent);
    expect(event.action).toBe(options.action);
    expect(event.status).toBe(expected.status);
    expect(event.inputs).toEqual(expected.inputs);
    if ("output" in expected) {
      expect("output" in event, `${mode}: output key must be present`).toBe(true);
      expect(event.output).toEqual(expected.output);
    } else if (event.status === "error") {
      // Spec: on failure, output appears only when an error-capture hook produced one; these goldens use none.
      expect("output" in event, `${mode}: no output without a captureError hook`).toBe(false);
    }
    expect("error" in event, `${mode}: presence of the error key`).toBe(expected.hasError);
    if (expected.error) {
      const want = expected.error as { name: string; message: string; stack?: string | null };
      expect(event.error?.name).toBe(want.name);
      expect(event.error?.message).toBe(want.message);
      if ("stack" in want) expect(event.error?.stack).toBe(want.stack);
    }
    // No correlation was active and generation is on by default: a fresh UUID v4.
    expect(isUuidV4(event.correlationId), `${mode}: generated correlationId ${String(event.correlationId)}`).toBe(true);
  }
}

async function driveNestedCorrelation(golden: WrapCase): Promise<void> {
  const parentId = golden.parent?.correlationId;
  expect(typeof parentId, `${golden.caseId} needs parent.correlationId`).toBe("string");
  const expectedId = golden.expect.correlationId;
  expect(typeof expectedId).toBe("string");
  if (golden.expect.source === "explicit_inner") {
    expect(expectedId).toBe(golden.effectiveOptions?.explicitCorrelationId);
  }

  const innerAction = `conformance.golden.${golden.caseId}.inner`;
  const outerAction = `conformance.golden.${golden.caseId}.outer`;

  // The parent correlation comes either from the async context or from an enclosing wrap.
  const parents: Array<{ label: string; mode: Mode; run: (client: ReturnType<typeof createIntentProofClient>, inner: () => unknown) => unknown }> = [
    { label: "runWithCorrelationId", mode: "sync", run: (_client, inner) => runWithCorrelationId(parentId!, inner) },
    { label: "runWithCorrelationId", mode: "async", run: (_client, inner) => runWithCorrelationId(parentId!, inner) },
    {
      label: "an outer wrap",
      mode: "sync",
      run: (client, inner) => client.wrap({ intent: "Outer step", action: outerAction, correlationId: parentId }, inner)(),
    },
    {
      label: "an outer wrap",
      mode: "async",
      run: (client, inner) =>
        client.wrap({ intent: "Outer step", action: outerAction, correlationId: parentId }, async () => {
          await new Promise((resolve) => setTimeout(resolve, 1));
          return inner();
        })(),
    },
  ];

  for (const parent of parents) {
    const where = `${parent.mode} under ${parent.label}`;
    const checked = new CheckedExporter();
    const client = createIntentProofClient({ exporters: [checked] });
    const innerFn = parent.mode === "sync" ? () => "inner-result" : async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return "inner-result";
    };
    const inner = client.wrap(wrapOptionsFor(golden, innerAction), innerFn);

    const outcome = await outcomeOf(parent.mode, () => parent.run(client, inner));
    expect(outcome.thrown, where).toBeUndefined();
    expect(outcome.value, where).toBe("inner-result");

    await client.flush();
    const innerEvents = checked.getEvents().filter((e) => e.action === innerAction);
    expect(innerEvents, where).toHaveLength(1);
    expect(innerEvents[0]!.correlationId, where).toBe(expectedId);

    if (parent.label === "an outer wrap") {
      const outerEvents = checked.getEvents().filter((e) => e.action === outerAction);
      expect(outerEvents, where).toHaveLength(1);
      expect(outerEvents[0]!.correlationId, where).toBe(parentId);
    }
  }
}

async function driveExporterChain(golden: WrapCase): Promise<void> {
  const names = golden.exporters ?? [];
  expect(names.length, "an exporter chain needs at least three exporters for a middle one").toBeGreaterThanOrEqual(3);
  expect(golden.expect.failOpenContinues, "this driver only knows fail-open chains").toBe(true);
  const middle = names[Math.floor(names.length / 2)]!;

  for (const failure of ["throws", "rejects"] as const) {
    const order: string[] = [];
    const received = new Map<string, ExecutionEvent[]>(names.map((n) => [n, []]));
    const hookCalls: Array<{ error: unknown; event: ExecutionEvent | undefined }> = [];
    const exporters: Exporter[] = names.map((name) => ({
      export(event: ExecutionEvent) {
        order.push(name);
        received.get(name)!.push(event);
        if (name !== middle) return undefined;
        const error = new Error(`exporter ${name} ${failure}`);
        if (failure === "throws") throw error;
        return Promise.reject(error);
      },
    }));
    const checked = new CheckedExporter();
    const client = createIntentProofClient({
      exporters: [...exporters, checked],
      onExporterError: (error, event) => hookCalls.push({ error, event }),
    });

    // A successful call: the caller's value is untouched by the failing exporter.
    const double = client.wrap({ intent: "Double a number", action: "conformance.chain.double" }, (n: number) => n * 2);
    expect(double(21)).toBe(42);
    // A failing call: the caller's error is untouched too.
    const userError = new Error("user failure");
    const fail = client.wrap({ intent: "Fail on purpose", action: "conformance.chain.fail" }, () => {
      throw userError;
    });
    expect(() => fail()).toThrow(userError);

    await client.flush();
    await vi.waitFor(() => expect(hookCalls).toHaveLength(2));

    const perCall = golden.expect.invocationOrder as string[];
    expect(order, failure).toEqual([...perCall, ...perCall]);
    const events = checked.getEvents();
    expect(events.map((e) => e.status)).toEqual(["ok", "error"]);
    for (const name of names) {
      expect(received.get(name)!.map((e) => e.id), `${failure}: exporter ${name} saw both events`).toEqual(events.map((e) => e.id));
    }
    expect(hookCalls.map((c) => (c.error as Error).message)).toEqual([`exporter ${middle} ${failure}`, `exporter ${middle} ${failure}`]);
    expect(hookCalls.map((c) => c.event?.id)).toEqual(events.map((e) => e.id));
  }
}

const drivers: Record<string, (golden: WrapCase) => Promise<void>> = {
  "defaults-input-capture": driveCall,
  "capture-inputs-false": driveCall,
  "capture-output-false": driveCall,
  "failure-emits-error": driveCall,
  "wrap-default-labels-realistic": driveCall,
  "nested-correlation-inherit": driveNestedCorrelation,
  "nested-correlation-explicit-inner": driveNestedCorrelation,
  "exporter-chain-order": driveExporterChain,
};

describe("spec/golden/wrap_behavior_cases.jsonl against the real client", () => {
  it("has one case per line, each with a unique caseId", () => {
    const lineCount = goldenText.split("\n").length - (goldenText.endsWith("\n") ? 1 : 0);
    expect(cases).toHaveLength(lineCount);
    expect(cases.length).toBeGreaterThanOrEqual(Object.keys(drivers).length);
    expect(new Set(cases.map((c) => c.caseId)).size).toBe(cases.length);
  });

  for (const golden of cases) {
    it(golden.caseId, async () => {
      const drive = drivers[golden.caseId];
      if (!drive) throw new Error(`wrap golden "${golden.caseId}" has no driver in ${import.meta.url}; add one`);
      await drive(golden);
    });
  }
});
