// Issue 9 item 10: time only moves forward in a record.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createIntentProofClient } from "../../src/index.js";
import { CheckedExporter } from "../support/event-validator.js";

const labels = { intent: "Time a call", action: "clock.call" };

afterEach(() => {
  vi.restoreAllMocks();
});

/** A client recording into a CheckedExporter, with `Date.now()` reading `wall.ms`. */
function clientWithWallClock(startIso: string) {
  const checked = new CheckedExporter();
  const client = createIntentProofClient({ exporters: [checked] });
  const wall = { ms: Date.parse(startIso) };
  vi.spyOn(Date, "now").mockImplementation(() => wall.ms);
  return { checked, client, wall };
}

describe("event timing", () => {
  it("keeps startedAt <= completedAt and durationMs >= 0 when the wall clock steps back during the call", () => {
    const { checked, client, wall } = clientWithWallClock("2026-05-04T12:00:10.000Z");
    // An NTP step of ten seconds backwards in the middle of the call.
    const call = client.wrap(labels, () => {
      wall.ms -= 10_000;
      return "done";
    });
    expect(call()).toBe("done");
    const [event] = checked.getEvents();
    expect(event!.durationMs).toBeGreaterThanOrEqual(0);
    expect(event!.startedAt).toBe("2026-05-04T12:00:10.000Z");
    expect(Date.parse(event!.completedAt)).toBeGreaterThanOrEqual(Date.parse(event!.startedAt));
  });

  it("measures the duration with the monotonic clock, whatever the wall clock says", async () => {
    const checked = new CheckedExporter();
    const client = createIntentProofClient({ exporters: [checked] });
    const frozenWall = Date.parse("2026-05-04T12:00:00.000Z");
    vi.spyOn(Date, "now").mockReturnValue(frozenWall);
    const call = client.wrap(labels, async () => {
      // Read inside the call, so the recorded duration spans at least the wait.
      const before = performance.now();
      // Wait until the monotonic clock has moved at least 20 ms.
      while (performance.now() - before < 20) await new Promise((resolve) => setImmediate(resolve));
    });
    await call();
    const [event] = checked.getEvents();
    expect(event!.durationMs).toBeGreaterThanOrEqual(20);
    // The wall clock disagrees with the duration: completedAt is the start plus the monotonic duration.
    expect(Date.parse(event!.completedAt) - frozenWall).toBe(Math.round(event!.durationMs));
  });

  it("keeps a nested call's end no later than its caller's when they straddle a millisecond", () => {
    // The caller starts late in millisecond 1000 (its reading says 1000), the
    // nested call at 1001. Derived from each start's whole millisecond plus its
    // duration, the nested call would end at 1001 + round(0.6) = 1002 and the
    // caller at 1000 + round(0.9) = 1001: before the call it waited for.
    const { checked, client, wall } = clientWithWallClock("2026-05-04T12:00:01.000Z");
    let monotonic = 0;
    vi.spyOn(performance, "now").mockImplementation(() => monotonic);
    const nested = client.wrap({ intent: "Nested step", action: "clock.nested" }, () => {
      monotonic = 0.7;
      return 1;
    });
    const caller = client.wrap(labels, () => {
      wall.ms += 1;
      monotonic = 0.1;
      const result = nested();
      monotonic = 0.9;
      return result;
    });
    caller();
    const [inner, outer] = checked.getEvents();
    expect(inner!.action).toBe("clock.nested");
    expect(Date.parse(inner!.startedAt)).toBeGreaterThanOrEqual(Date.parse(outer!.startedAt));
    expect(Date.parse(outer!.completedAt)).toBeGreaterThanOrEqual(Date.parse(inner!.completedAt));
    expect(outer!.completedAt).toBe("2026-05-04T12:00:01.001Z");
    expect(inner!.durationMs).toBe(0.6);
    expect(outer!.durationMs).toBe(0.9);
  });

  it("falls back to the start plus the duration when the wall clock steps forward during the call", () => {
    const { checked, client, wall } = clientWithWallClock("2026-05-04T12:00:10.000Z");
    const call = client.wrap(labels, () => {
      wall.ms += 60_000;
      return "done";
    });
    call();
    const [event] = checked.getEvents();
    expect(Date.parse(event!.completedAt) - Date.parse(event!.startedAt)).toBe(Math.round(event!.durationMs));
  });

  it("records a fractional duration in milliseconds, at most to the microsecond", () => {
    const checked = new CheckedExporter();
    const client = createIntentProofClient({ exporters: [checked] });
    for (let i = 0; i < 20; i++) client.wrap(labels, () => i)();
    for (const event of checked.getEvents()) {
      expect(event.durationMs).toBeGreaterThanOrEqual(0);
      expect(Math.round(event.durationMs * 1000) / 1000).toBe(event.durationMs);
    }
  });
});

describe("isoTimestamp", () => {
  it("formats like Date#toISOString, including second boundaries, years before 1970 and a fractional clock", async () => {
    const { isoTimestamp } = await import("../../src/core/timestamps.js");
    const samples = [0, 1, 999, 1000, -1, -1000, -1001, Date.parse("2026-11-30T23:59:59.999Z"), Date.parse("2027-01-01T00:00:00.000Z")];
    for (let i = 0; i < 2000; i++) samples.push(Math.floor(Math.random() * 4e12) - 1e12);
    for (const ms of samples) expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
    expect(isoTimestamp(1_700_000_000_123.75)).toBe(new Date(1_700_000_000_123).toISOString());
  });

  it("gives the same text again for a repeated millisecond, after another one, and after a fraction of it", async () => {
    const { isoTimestamp } = await import("../../src/core/timestamps.js");
    const [a, b] = [Date.parse("2026-12-02T01:00:00.041Z"), Date.parse("2026-12-02T01:00:01.041Z")];
    for (const ms of [a, a, b, b, a, a + 0.5, b + 0.999, b]) {
      expect(isoTimestamp(ms)).toBe(new Date(Math.floor(ms)).toISOString());
    }
  });
});
