// The bench's HTTP figures rest on two small pieces: the mirrored order of a
// round's slices and the interval given with each median. Both are checked
// here against hand-worked cases, so a change to either cannot silently
// move the figures docs/benchmarks.md quotes.
import { describe, expect, it } from "vitest";

type Slice = { total: number; seconds: number; userCpuUs: number; systemCpuUs: number; gcUs: number; failed: number; latencyP50Ms: number; latencyP99Ms: number };
type Combined = { reqPerSec: number; cpuUsPerRequest: number; userCpuUsPerRequest: number; gcUsPerRequest: number; failed: number; latencyP99Ms: number };

// Plain JavaScript without declarations: imported by URL, typed here.
const benchModule = (path: string) => import(new URL(`../../bench/${path}`, import.meta.url).href);
const { medianInterval, median } = (await benchModule("lib/stats.mjs")) as {
  medianInterval: (values: number[]) => [number, number];
  median: (values: number[]) => number;
};
const { mirroredRound, combineSlices } = (await benchModule("http/round.mjs")) as {
  mirroredRound: (order: string[], measure: (variant: string) => Promise<Slice>) => Promise<Map<string, Combined>>;
  combineSlices: (slices: Slice[]) => Combined;
};

const slice = (total: number, seconds: number, cpuUs: number, failed = 0, p99 = 1): Slice => ({
  total,
  seconds,
  userCpuUs: cpuUs * 0.75,
  systemCpuUs: cpuUs * 0.25,
  gcUs: total,
  failed,
  latencyP50Ms: 0,
  latencyP99Ms: p99,
});

describe("bench: a mirrored round", () => {
  it("loads each variant twice, in the round's order and then in reverse", async () => {
    const calls: string[] = [];
    await mirroredRound(["b", "c", "a"], async (variant) => {
      calls.push(variant);
      return slice(100, 1, 1000);
    });
    expect(calls).toEqual(["b", "c", "a", "a", "c", "b"]);
  });

  it("cancels a steady drift: variants of equal cost get equal rates while the host slows down", async () => {
    let position = 0;
    const combined = await mirroredRound(["bare", "x", "y", "z"], async () => {
      // The host loses 5% of its speed per slice; every variant costs the same.
      const rate = 10_000 * (1 - 0.05 * position++);
      return slice(rate, 1, rate * 60);
    });
    const rates = [...combined.values()].map((c) => c.reqPerSec);
    for (const rate of rates) expect(rate).toBeCloseTo(rates[0]!, 6);
  });

  it("combines a variant's slices by totals, not by averaging their rates", () => {
    const combined = combineSlices([slice(1000, 1, 50_000, 1, 2), slice(3000, 2, 150_000, 2, 5)]);
    expect(combined.reqPerSec).toBe(4000 / 3);
    expect(combined.cpuUsPerRequest).toBe(50);
    expect(combined.userCpuUsPerRequest).toBe(37.5);
    expect(combined.gcUsPerRequest).toBe(1);
    expect(combined.failed).toBe(3);
    expect(combined.latencyP99Ms).toBe(5);
  });
});

describe("bench: the 95% interval of a median", () => {
  const ranks = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

  it("is the order statistics of the binomial table", () => {
    // Ranks from the standard table for a median's 95% confidence interval.
    expect(medianInterval(ranks(6))).toEqual([1, 6]);
    expect(medianInterval(ranks(12))).toEqual([3, 10]);
    expect(medianInterval(ranks(24))).toEqual([7, 18]);
    expect(medianInterval(ranks(72))).toEqual([28, 45]);
  });

  it("has none for fewer than six values, where even the extremes are not 95% sure", () => {
    expect(medianInterval(ranks(5)).every(Number.isNaN)).toBe(true);
  });

  it("holds the median and ignores the input's order", () => {
    const values = [0.91, 1.02, 0.97, 0.88, 0.99, 0.95, 1.01, 0.93, 0.96, 0.9, 0.98, 1.04];
    const [lower, upper] = medianInterval(values);
    expect(lower).toBeLessThanOrEqual(median(values));
    expect(upper).toBeGreaterThanOrEqual(median(values));
    expect(medianInterval([...values].reverse())).toEqual([lower, upper]);
    expect(values[0]).toBe(0.91);
  });
});
