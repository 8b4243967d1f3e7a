import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  CheckedExporter,
  assertNoViolations,
  expectValidEvent,
  isUuidV4,
  takeViolations,
  validateEmittedEvent,
  validateEvent,
} from "../support/event-validator.js";
import type { ExecutionEvent } from "../../src/core/types.js";

// Each test mutates a fresh copy of this valid event in exactly one way.
function validEvent(): Record<string, unknown> {
  return {
    id: "3f1c2a4e-8b7d-4c6e-9a5b-0d1e2f3a4b5c",
    correlationId: "req-42",
    intent: "Refund the duplicate charge",
    action: "stripe.refund.create",
    status: "ok",
    inputs: { "0": { charge: "ch_1", amount: 1999 } },
    output: { id: "re_1", nested: [1, "two", null, { ok: true }] },
    startedAt: "2026-05-04T12:00:00.000Z",
    completedAt: "2026-05-04T12:00:00.003Z",
    durationMs: 3,
    attributes: { service: "billing", retries: 0, beta: false, region: null },
  };
}

function withChange(change: (event: Record<string, unknown>) => void): Record<string, unknown> {
  const event = validEvent();
  change(event);
  return event;
}

/** Asserts the event is rejected and some problem names `field`. */
function expectRejected(event: unknown, field: string): string[] {
  const problems = validateEvent(event);
  expect(problems.length, "the event should have been rejected").toBeGreaterThan(0);
  expect(problems.some((p) => p.includes(field)), `no problem names "${field}": ${JSON.stringify(problems)}`).toBe(true);
  return problems;
}

describe("validateEvent accepts valid events", () => {
  it("accepts the base event (so every rejection below is caused by its one change)", () => {
    expect(validateEvent(validEvent())).toEqual([]);
    expect(validateEmittedEvent(validEvent())).toEqual([]);
  });

  it("accepts durationMs within 1 ms of the timestamp difference, fractional included", () => {
    for (const durationMs of [2, 2.4, 3, 3.6, 4]) {
      expect(validateEvent(withChange((e) => (e.durationMs = durationMs)))).toEqual([]);
    }
  });

  it("accepts a minimal error event with a nested cause and a null stack", () => {
    const event = withChange((e) => {
      delete e.output;
      e.status = "error";
      e.error = { name: "TypeError", message: "", stack: null, code: "E_X", cause: { name: "Error", message: "root", stack: "Error: root\n    at x" } };
    });
    expect(validateEvent(event)).toEqual([]);
  });

  it("accepts an object without a prototype as a JSON object", () => {
    const inputs = Object.create(null) as Record<string, unknown>;
    inputs.a = 1;
    expect(validateEvent(withChange((e) => (e.inputs = inputs)))).toEqual([]);
  });
});

describe("validateEvent: timestamps and duration", () => {
  it("rejects durationMs off by 5 with a message giving both numbers", () => {
    const problems = expectRejected(withChange((e) => (e.durationMs = 8)), "durationMs");
    expect(problems).toContain("durationMs 8 does not match completedAt - startedAt = 3");
  });

  it("rejects durationMs just over the 1 ms tolerance", () => {
    expectRejected(withChange((e) => (e.durationMs = 4.5)), "durationMs");
    expectRejected(withChange((e) => (e.durationMs = 1.5)), "durationMs");
  });

  it("rejects a negative durationMs", () => {
    expectRejected(withChange((e) => { e.durationMs = -1; e.completedAt = e.startedAt; }), "durationMs");
  });

  it("rejects completedAt before startedAt", () => {
    expectRejected(withChange((e) => { e.completedAt = "2026-05-04T11:59:59.999Z"; e.durationMs = 0; }), "startedAt");
  });

  it.each([
    ["without milliseconds", "2026-05-04T12:00:00Z"],
    ["with microseconds", "2026-05-04T12:00:00.000000Z"],
    ["with centiseconds", "2026-05-04T12:00:00.00Z"],
    ["with a +00:00 offset instead of Z", "2026-05-04T12:00:00.000+00:00"],
    ["in a non-UTC offset", "2026-05-04T14:00:00.000+02:00"],
    ["with a lower-case z", "2026-05-04T12:00:00.000z"],
    ["with a space instead of T", "2026-05-04 12:00:00.000Z"],
    ["on February 30th", "2026-02-30T12:00:00.000Z"],
    ["at hour 24", "2026-05-04T24:00:00.000Z"],
    ["as a number", 1777896000000],
  ])("rejects startedAt %s", (_label, startedAt) => {
    expectRejected(withChange((e) => (e.startedAt = startedAt)), "startedAt");
  });

  it("rejects a completedAt without milliseconds", () => {
    expectRejected(withChange((e) => (e.completedAt = "2026-05-04T12:00:01Z")), "completedAt");
  });
});

describe("validateEvent: correlationId", () => {
  it.each([
    ["surrounded by spaces", "  abc "],
    ["with a trailing newline", "abc\n"],
    ["empty", ""],
    ["whitespace only", "   "],
    ["not a string", 42],
    ["null", null],
  ])("rejects a correlationId %s", (_label, correlationId) => {
    expectRejected(withChange((e) => (e.correlationId = correlationId)), "correlationId");
  });

  it("accepts an event without correlationId", () => {
    expect(validateEvent(withChange((e) => delete e.correlationId))).toEqual([]);
  });
});

describe("validateEvent: values are pure JSON", () => {
  it("rejects NaN in output", () => {
    expectRejected(withChange((e) => (e.output = { total: Number.NaN })), "output");
  });

  it("rejects Infinity in inputs", () => {
    expectRejected(withChange((e) => (e.inputs = { "0": Number.POSITIVE_INFINITY })), "inputs");
  });

  it("rejects an undefined value, which JSON.stringify would silently drop", () => {
    expectRejected(withChange((e) => (e.output = { a: undefined })), "output.a");
    expectRejected(withChange((e) => (e.output = undefined)), "output");
  });

  it("rejects a function, a symbol and a bigint", () => {
    expectRejected(withChange((e) => (e.inputs = { "0": () => 1 })), "inputs");
    expectRejected(withChange((e) => (e.output = Symbol("s"))), "output");
    expectRejected(withChange((e) => (e.output = { n: 10n })), "output.n");
  });

  it("rejects class instances (Date, Map, a user class)", () => {
    class Money {
      constructor(readonly cents: number) {}
    }
    expectRejected(withChange((e) => (e.output = new Date(0))), "output");
    expectRejected(withChange((e) => (e.output = { m: new Map([["a", 1]]) })), "output.m");
    expectRejected(withChange((e) => (e.inputs = { "0": new Money(5) })), "inputs");
  });

  it("rejects an array with holes", () => {
    // eslint-disable-next-line no-sparse-arrays
    expectRejected(withChange((e) => (e.output = [1, , 3])), "output");
  });

  it("rejects a circular value without throwing", () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expectRejected(withChange((e) => (e.output = loop)), "output");
  });

  it("rejects an array for inputs", () => {
    expectRejected(withChange((e) => (e.inputs = [{ x: 1 }])), "inputs");
  });

  it("rejects a missing inputs", () => {
    expectRejected(withChange((e) => delete e.inputs), "inputs");
  });
});

describe("validateEvent: attributes", () => {
  it("rejects a nested attribute", () => {
    expectRejected(withChange((e) => (e.attributes = { meta: { nested: true } })), "attributes.meta");
  });

  it("rejects an array attribute value", () => {
    expectRejected(withChange((e) => (e.attributes = { tags: ["a"] })), "attributes.tags");
  });

  it("rejects an attribute key outside [A-Za-z0-9_.:-]{1,256}", () => {
    expectRejected(withChange((e) => (e.attributes = { "has space": 1 })), "attributes");
    expectRejected(withChange((e) => (e.attributes = { ["k".repeat(257)]: 1 })), "attributes");
  });
});

describe("validateEvent: status, error and error.cause", () => {
  it("rejects status ok without output", () => {
    expectRejected(withChange((e) => delete e.output), "output");
  });

  it("rejects status ok with an error", () => {
    expectRejected(withChange((e) => (e.error = { name: "Error", message: "x" })), "error");
  });

  it("rejects status error without an error", () => {
    expectRejected(withChange((e) => (e.status = "error")), "error");
  });

  it("rejects an unknown status", () => {
    expectRejected(withChange((e) => (e.status = "cancelled")), "status");
  });

  function errorEvent(error: unknown): Record<string, unknown> {
    return withChange((e) => {
      delete e.output;
      e.status = "error";
      e.error = error;
    });
  }

  it("rejects an error.cause without a message", () => {
    expectRejected(errorEvent({ name: "Error", message: "outer", cause: { name: "RangeError" } }), "error.cause");
  });

  it("rejects an error.cause that is a string", () => {
    expectRejected(errorEvent({ name: "Error", message: "outer", cause: "boom" }), "error.cause");
  });

  it("checks causes recursively", () => {
    const problems = expectRejected(
      errorEvent({ name: "Error", message: "a", cause: { name: "Error", message: "b", cause: { name: "", message: "c" } } }),
      "error.cause.cause.name",
    );
    expect(problems.length).toBeGreaterThan(0);
  });

  it("rejects an unknown key inside error", () => {
    expectRejected(errorEvent({ name: "Error", message: "x", details: {} }), "error.details");
  });

  it("rejects a numeric error.code and an empty error.name", () => {
    expectRejected(errorEvent({ name: "Error", message: "x", code: 503 }), "error.code");
    expectRejected(errorEvent({ name: "", message: "x" }), "error.name");
  });

  it("rejects an unknown root key", () => {
    expectRejected(withChange((e) => (e.traceId = "t")), "traceId");
  });
});

describe("validateEvent never throws", () => {
  it.each([null, undefined, 42, "event", [], [validEvent()]])("reports %j as not an event object", (value) => {
    const problems = validateEvent(value);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatch(/^event must be a JSON object/);
  });
});

describe("ids", () => {
  it("isUuidV4 accepts only version 4 UUIDs", () => {
    expect(isUuidV4(randomUUID())).toBe(true);
    expect(isUuidV4(randomUUID().toUpperCase())).toBe(true);
    expect(isUuidV4("3f1c2a4e-8b7d-1c6e-9a5b-0d1e2f3a4b5c")).toBe(false); // version 1
    expect(isUuidV4("3f1c2a4e-8b7d-4c6e-7a5b-0d1e2f3a4b5c")).toBe(false); // wrong variant
    expect(isUuidV4("00000000-0000-0000-0000-000000000000")).toBe(false);
    expect(isUuidV4(`${randomUUID()}x`)).toBe(false);
    expect(isUuidV4("evt_ok_1")).toBe(false);
    expect(isUuidV4(42)).toBe(false);
  });

  it("validateEvent allows any non-empty id, validateEmittedEvent requires a UUID v4", () => {
    const event = withChange((e) => (e.id = "evt_ok_1"));
    expect(validateEvent(event)).toEqual([]);
    expect(validateEmittedEvent(event)).toEqual(['id "evt_ok_1" is not a UUID v4']);
    expectRejected(withChange((e) => (e.id = "")), "id");
  });

  it("validateEmittedEvent keeps every validateEvent problem too", () => {
    const problems = validateEmittedEvent(withChange((e) => { e.id = "x"; e.durationMs = 50; }));
    expect(problems.some((p) => p.startsWith("durationMs"))).toBe(true);
    expect(problems.some((p) => p.startsWith("id"))).toBe(true);
  });
});

describe("expectValidEvent", () => {
  it("passes for a valid emitted event and fails listing the problems otherwise", () => {
    expectValidEvent(validEvent());
    expect(() => expectValidEvent(withChange((e) => (e.durationMs = 50)))).toThrow(/durationMs 50 does not match/);
    expect(() => expectValidEvent(withChange((e) => (e.id = "evt_1")))).toThrow(/UUID v4/);
  });
});

describe("CheckedExporter", () => {
  it("keeps every event in order and records no violation for valid ones", () => {
    const exporter = new CheckedExporter();
    const first = validEvent() as unknown as ExecutionEvent;
    const second = { ...first, id: randomUUID() };
    exporter.export(first);
    exporter.export(second);
    expect(exporter.getEvents()).toEqual([first, second]);
    expect(takeViolations()).toEqual([]);
    exporter.flush();
    exporter.clear();
    expect(exporter.getEvents()).toEqual([]);
  });

  it("getEvents returns a copy", () => {
    const exporter = new CheckedExporter();
    exporter.export(validEvent() as unknown as ExecutionEvent);
    exporter.getEvents().pop();
    expect(exporter.getEvents()).toHaveLength(1);
  });

  it("records each problem of an invalid event with its action and id, and takeViolations drains them", () => {
    const exporter = new CheckedExporter();
    const bad = withChange((e) => { e.durationMs = 50; e.correlationId = " x "; }) as unknown as ExecutionEvent;
    exporter.export(bad);
    expect(exporter.getEvents()).toEqual([bad]); // still stored: the test may want to inspect it
    const violations = takeViolations();
    expect(violations).toHaveLength(2);
    for (const v of violations) expect(v).toContain(`stripe.refund.create (id ${bad.id})`);
    expect(violations.some((v) => v.includes("durationMs 50"))).toBe(true);
    expect(violations.some((v) => v.includes("correlationId"))).toBe(true);
    expect(takeViolations()).toEqual([]);
  });

  it("assertNoViolations (the global afterEach) throws listing the violations, then starts clean", () => {
    const exporter = new CheckedExporter();
    exporter.export(withChange((e) => (e.id = "not-a-uuid")) as unknown as ExecutionEvent);
    expect(() => assertNoViolations()).toThrow(/not-a-uuid.*UUID v4/s);
    expect(() => assertNoViolations()).not.toThrow();
  });

  it("never throws into the exporting code, even for garbage", () => {
    const exporter = new CheckedExporter();
    expect(() => exporter.export(null as unknown as ExecutionEvent)).not.toThrow();
    expect(takeViolations()).toEqual(["undefined (id undefined): event must be a JSON object, got null"]);
  });
});
