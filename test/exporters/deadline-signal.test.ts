/** The deadline argument of exporters' flush()/shutdown(): never throws, every form bounds the wait. */
import { describe, expect, it } from "vitest";
import { deadlineSignal, settledBefore } from "../../src/core/exporter-deadline.js";

const never = new Promise<void>(() => undefined);

describe("deadlineSignal", () => {
  it("no deadline, or a malformed one, bounds nothing and never throws", () => {
    for (const value of [undefined, null, 5, "soon", {}, { timeoutMs: "100" }, { timeoutMs: Infinity }, { deadline: Number.NaN }]) {
      const bound = deadlineSignal(value as never);
      expect(bound.signal).toBeUndefined();
      expect(bound.deadline).toBe(Infinity);
      bound.dispose();
    }
  });

  it("an aborted signal is expired at once", async () => {
    const bound = deadlineSignal({ signal: AbortSignal.abort() });
    expect(bound.signal?.aborted).toBe(true);
    expect(await settledBefore(never, bound.signal)).toBe(false);
  });

  it("timeoutMs and an absolute deadline expire after their time; the earlier one wins", async () => {
    const start = Date.now();
    const bound = deadlineSignal({ timeoutMs: 10_000, deadline: start + 40 });
    expect(bound.deadline).toBeLessThanOrEqual(start + 41);
    expect(await settledBefore(never, bound.signal)).toBe(false);
    expect(Date.now() - start).toBeGreaterThanOrEqual(35);
    bound.dispose();
  });

  it("a deadline already past expires on the next turn; work that settles first wins", async () => {
    expect(await settledBefore(never, deadlineSignal({ deadline: Date.now() - 1_000 }).signal)).toBe(false);
    expect(await settledBefore(Promise.reject(new Error("x")), deadlineSignal({ timeoutMs: 5_000 }).signal)).toBe(true);
  });

  it("a timeout above 2^31-1 ms is clamped instead of turning into a 1 ms timer", async () => {
    const bound = deadlineSignal({ timeoutMs: 2 ** 40 });
    expect(await settledBefore(new Promise((resolve) => setTimeout(resolve, 20)), bound.signal)).toBe(true);
    expect(bound.signal?.aborted).toBe(false);
    bound.dispose();
  });
});
