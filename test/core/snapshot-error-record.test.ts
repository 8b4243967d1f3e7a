/**
 * Error records: every string is capped (issue 9 item 2), and a capped string
 * never keeps the thrown value's long message or stack alive (item 3).
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { createIntentProofClient } from "../../src/index.js";
import type { ExecutionEvent } from "../../src/index.js";
import { toExecutionError } from "../../src/core/error-record.js";
import { snapshot } from "../../src/core/snapshot.js";
import { CheckedExporter } from "../support/event-validator.js";

const labels = { intent: "Charge the card", action: "billing.charge" };

function throwingCall(thrown: unknown, maxStringLength: number): ExecutionEvent {
  const checked = new CheckedExporter();
  const client = createIntentProofClient({ exporters: [checked], serialization: { maxStringLength } });
  const charge = client.wrap(labels, () => {
    throw thrown;
  });
  expect(() => charge()).toThrow();
  const [event] = checked.getEvents();
  return event!;
}

describe("error records: every string is capped", () => {
  it("caps name and code, and the same fields of the cause, like message and stack", () => {
    const long = (letter: string) => letter.repeat(500);
    const cause = Object.assign(new Error(long("m")), { name: long("N"), code: long("C") });
    const thrown = Object.assign(new Error(long("x"), { cause }), { name: long("n"), code: long("c") });
    const event = throwingCall(thrown, 16);
    const error = event.error!;
    expect(error.name).toBe(`${"n".repeat(16)}[Truncated]`);
    expect(error.code).toBe(`${"c".repeat(16)}[Truncated]`);
    expect(error.message).toBe(`${"x".repeat(16)}[Truncated]`);
    expect(error.stack!.endsWith("[Truncated]")).toBe(true);
    expect(error.cause).toMatchObject({
      name: `${"N".repeat(16)}[Truncated]`,
      code: `${"C".repeat(16)}[Truncated]`,
      message: `${"m".repeat(16)}[Truncated]`,
    });
    expect(error.cause!.stack!.length).toBe(16 + "[Truncated]".length);
  });

  it("caps a numeric code and a class name used as the error name", () => {
    class AVeryLongDescriptiveFailureName {
      message = "boom";
      code = 12345678901234567890n;
    }
    const record = toExecutionError(new AVeryLongDescriptiveFailureName(), false, 8);
    expect(record).toEqual({ name: "AVeryLon[Truncated]", message: "boom", stack: null, code: "12345678[Truncated]" });
  });

  it("leaves strings within the limit unchanged", () => {
    const thrown = Object.assign(new TypeError("short"), { code: "E_SHORT" });
    const record = toExecutionError(thrown, false, 64);
    expect(record).toEqual({ name: "TypeError", message: "short", stack: null, code: "E_SHORT" });
  });
});

/** `gc()` without starting the test process with --expose-gc. */
function exposeGc(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

function retainedAfterGc(gc: () => void): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

const TWENTY_MB = 20 * 1024 * 1024;

/** A distinct 20 MB one-byte string, built without keeping intermediates. */
function hugeText(seed: number): string {
  return `${String(seed).padStart(8, "0")}:`.repeat(TWENTY_MB / 9);
}

function runTenCalls(fail: (seed: number) => void, echo: (text: string) => string): number {
  let thrown = 0;
  for (let seed = 0; seed < 10; seed++) {
    // Caught here, not with expect().toThrow(), which keeps the last thrown value alive.
    try {
      fail(seed);
    } catch {
      thrown++;
    }
    // Inputs and outputs are truncated by the serializer: the same rule.
    echo(hugeText(seed + 200));
  }
  return thrown;
}

describe("truncated strings do not pin their source", () => {
  it("ten events with truncated 20 MB messages and stacks retain about ten times the capped size", () => {
    const gc = exposeGc();
    const maxStringLength = 65_536;
    const checked = new CheckedExporter();
    const client = createIntentProofClient({ exporters: [checked], serialization: { maxStringLength } });
    const fail = client.wrap(labels, (seed: number) => {
      const error = new Error(hugeText(seed), { cause: new Error(hugeText(seed + 100)) });
      // A stack holds the message, so it is a second 20 MB string.
      void error.stack;
      throw error;
    });
    const echo = client.wrap({ intent: "Echo a document", action: "docs.echo" }, (text: string) => text);
    const before = retainedAfterGc(gc);
    // Run in a function of its own: the interpreter registers of a frame that
    // is still running may hold the last 20 MB temporary.
    const thrown = runTenCalls(fail, echo);
    const retained = retainedAfterGc(gc) - before;
    expect(thrown).toBe(10);
    const events = checked.getEvents();
    expect(events).toHaveLength(20);
    for (const event of events.filter((e) => e.status === "error")) {
      expect(event.error!.message.length).toBe(maxStringLength + "[Truncated]".length);
      expect(event.error!.stack!.length).toBe(maxStringLength + "[Truncated]".length);
      expect(event.error!.cause!.message.length).toBe(maxStringLength + "[Truncated]".length);
    }
    // Kept: per error event message, stack, cause message and cause stack; per
    // echo event the input and the output (one-byte strings, ~64 KB each):
    // 10 x 6 x 64 KB, about 4 MB. Pinning the sources would keep 10 x 5 x 20 MB.
    const cappedBytes = 10 * 6 * (maxStringLength + 11);
    expect(retained).toBeLessThan(cappedBytes * 2 + 2 * 1024 * 1024);
    expect(events.length).toBe(20); // the events (and their strings) are still alive here
  });

  it("snapshot() copies keep no reference to a long input string", () => {
    const gc = exposeGc();
    const before = retainedAfterGc(gc);
    const copies = Array.from({ length: 5 }, (_, seed) => snapshot({ body: hugeText(seed) }, { maxStringLength: 1024 }));
    const retained = retainedAfterGc(gc) - before;
    expect(copies.every((copy) => (copy as { body: string }).body.length === 1024 + "[Truncated]".length)).toBe(true);
    expect(retained).toBeLessThan(4 * 1024 * 1024);
  });
});
