/**
 * Wrapped calls whose arguments, results, resolved values, thrown or
 * rejected values are hostile: the caller gets exactly what the unwrapped
 * function would have given it, one event is emitted per call, the event is
 * valid JSON within the serializer limits, and nothing is reported as an
 * internal failure. (`snapshot` itself is covered by test/core/snapshot-hostile.test.ts.)
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IntentProofClient } from "../../src/index.js";
import type { ExecutionEvent } from "../../src/index.js";
import { CheckedExporter, expectValidEvent } from "../support/event-validator.js";
import { hostileBuilders, hostileErrorBuilders, hostileOrJsonValue } from "./support/hostile-values.js";

type Mode = "argument" | "sync return" | "async resolve" | "sync throw" | "async reject";
const MODES: Mode[] = ["argument", "sync return", "async resolve", "sync throw", "async reject"];

type Outcome = { kind: "value"; value: unknown } | { kind: "error"; error: unknown };

interface Limits {
  maxDepth: number;
  maxKeys: number;
  maxStringLength: number;
}

const TIGHT: Limits = { maxDepth: 5, maxKeys: 20, maxStringLength: 300 };
const DEFAULT_LIMITS = { maxDepth: 32, maxKeys: 1000, maxStringLength: 65536 };
const TRUNCATION_MARK = "[Truncated]".length;

// A hang guard, not a speed check: a serializer that walks a 1e9-long sparse
// array or a 10 MB string character by character would take minutes.
const HANG_GUARD_MS = 3_000;

function userFunction(mode: Mode, value: unknown): (...args: unknown[]) => unknown {
  switch (mode) {
    case "argument":
      return () => "done";
    case "sync return":
      return () => value;
    case "async resolve":
      return async () => value;
    case "sync throw":
      return () => {
        throw value;
      };
    case "async reject":
      return async () => {
        throw value;
      };
  }
}

// instanceof runs a Proxy's getPrototypeOf trap, which the hostile values make throw.
function isNativePromise(value: unknown): value is Promise<unknown> {
  try {
    return value instanceof Promise;
  } catch {
    return false;
  }
}

async function outcomeOf(call: () => unknown): Promise<Outcome> {
  try {
    const result = call();
    if (isNativePromise(result)) {
      try {
        return { kind: "value", value: await result };
      } catch (error) {
        return { kind: "error", error };
      }
    }
    return { kind: "value", value: result };
  } catch (error) {
    return { kind: "error", error };
  }
}

/** Same outcome; identical values, or for errors raised by a hostile trap (a fresh one per call) the same message. */
function expectSameOutcome(actual: Outcome, expected: Outcome): void {
  expect(actual.kind).toBe(expected.kind);
  if (actual.kind === "value" && expected.kind === "value") {
    expect(Object.is(actual.value, expected.value)).toBe(true);
    return;
  }
  if (actual.kind === "error" && expected.kind === "error") {
    if (Object.is(actual.error, expected.error)) return;
    expect(actual.error).toBeInstanceOf(Error);
    expect((actual.error as Error).message).toBe((expected.error as Error).message);
  }
}

/** Every string, array and object of `value` respects the limits (containers may hold one marker more). */
function expectWithinLimits(value: unknown, limits: Limits, depth: number, path: string): void {
  if (typeof value === "string") {
    expect(value.length, `${path} length`).toBeLessThanOrEqual(limits.maxStringLength + TRUNCATION_MARK);
    return;
  }
  if (value === null || typeof value !== "object") return;
  expect(depth, `${path} depth`).toBeLessThanOrEqual(limits.maxDepth + 1);
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  expect(entries.length, `${path} size`).toBeLessThanOrEqual(limits.maxKeys + 1);
  for (const [key, child] of entries) expectWithinLimits(child, limits, depth + 1, `${path}.${key}`);
}

function expectEventWithinLimits(event: ExecutionEvent, limits: Limits): void {
  // `inputs` is keyed by argument index, so the values sit one level down.
  for (const input of Object.values(event.inputs)) expectWithinLimits(input, limits, 0, "inputs");
  if (event.output !== undefined) expectWithinLimits(event.output, limits, 0, "output");
  if (event.error !== undefined) {
    expect(event.error.message.length).toBeLessThanOrEqual(limits.maxStringLength + TRUNCATION_MARK);
    expect((event.error.stack ?? "").length).toBeLessThanOrEqual(limits.maxStringLength + TRUNCATION_MARK);
  }
}

function harness(limits?: Limits) {
  const checked = new CheckedExporter();
  const internalFailures: unknown[] = [];
  const client = new IntentProofClient({
    exporters: [checked],
    onExporterError: (error) => internalFailures.push(error),
    ...(limits === undefined ? {} : { serialization: limits }),
  });
  return { client, checked, internalFailures, limits: limits ?? DEFAULT_LIMITS };
}

async function checkOneCall(h: ReturnType<typeof harness>, mode: Mode, make: () => unknown): Promise<void> {
  h.checked.clear();
  const value = make();
  const fn = userFunction(mode, value);
  const args = mode === "argument" ? [value, make()] : [];
  const expected = await outcomeOf(() => fn(...args));
  const wrapped = h.client.wrap({ intent: "Handle a hostile value", action: `hostile.${mode}` }, fn);

  const started = Date.now();
  const actual = await outcomeOf(() => wrapped(...args));
  expect(Date.now() - started).toBeLessThan(HANG_GUARD_MS);

  expectSameOutcome(actual, expected);
  const events = h.checked.getEvents();
  expect(events).toHaveLength(1);
  const event = events[0]!;
  expectValidEvent(event);
  expect(event.status).toBe(expected.kind === "value" ? "ok" : "error");
  expect(JSON.parse(JSON.stringify(event))).toEqual(event);
  expectEventWithinLimits(event, h.limits);
  expect(h.internalFailures).toEqual([]);
}

describe("wrapped calls with hostile values", () => {
  const defaults = harness();
  const tight = harness(TIGHT);

  describe("every hostile builder in every position (default limits)", () => {
    for (const mode of MODES) {
      const builders = mode.includes("throw") || mode.includes("reject")
        ? { ...hostileBuilders, ...hostileErrorBuilders }
        : hostileBuilders;
      it(`${mode}: caller sees its own outcome, one valid event per call`, async () => {
        for (const [label, make] of Object.entries(builders)) {
          try {
            await checkOneCall(defaults, mode, make);
          } catch (error) {
            throw new Error(`${mode} / ${label}: ${(error as Error).message}`, { cause: error });
          }
        }
      });
    }
  });

  it("property: arbitrary JSON-ish and hostile values in any position, tight limits", async () => {
    const mode = fc.constantFrom(...MODES);
    await fc.assert(
      fc.asyncProperty(mode, hostileOrJsonValue({ ...hostileBuilders, ...hostileErrorBuilders }), async (m, v) => {
        await checkOneCall(tight, m, v.make);
      }),
      { numRuns: 300 },
    );
  });

  it("property: arbitrary JSON-ish and hostile values in any position, default limits", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...MODES), hostileOrJsonValue(), async (m, v) => {
        await checkOneCall(defaults, m, v.make);
      }),
      { numRuns: 200 },
    );
  });

  it("a JSON value passes through a wrap unchanged into the event (round trip)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 5 }), async (value) => {
        defaults.checked.clear();
        // -0 is the one JSON-ish number JSON itself turns into 0.
        const json = JSON.parse(JSON.stringify(value)) as unknown;
        const wrapped = defaults.client.wrap({ intent: "Echo", action: "echo" }, (x: unknown) => x);
        expect(wrapped(json)).toBe(json);
        const [event] = defaults.checked.getEvents();
        expectValidEvent(event);
        expect(event!.output).toEqual(json);
        expect(event!.inputs).toEqual({ 0: json });
      }),
      { numRuns: 200 },
    );
  });

  it("hooks that return hostile values or throw hostile values leave a token without touching the call", async () => {
    const h = harness(TIGHT);
    for (const [label, make] of Object.entries(hostileBuilders)) {
      h.checked.clear();
      const wrapped = h.client.wrap(
        {
          intent: "Hooks",
          action: "hooks",
          captureInput: () => make(),
          captureOutput: () => {
            throw make();
          },
          captureError: () => make(),
        },
        (fail: boolean) => {
          if (fail) throw new Error("own");
          return "own result";
        },
      );
      expect(wrapped(false), label).toBe("own result");
      expect(() => wrapped(true), label).toThrow("own");
      const events = h.checked.getEvents();
      expect(events, label).toHaveLength(2);
      for (const event of events) {
        expectValidEvent(event);
        expectEventWithinLimits(event, TIGHT);
      }
      expect(events[0]!.output).toBe("[CaptureFailed]"); // captureOutput threw: never the default snapshot
    }
    expect(h.internalFailures).toEqual([]);
  });
});
