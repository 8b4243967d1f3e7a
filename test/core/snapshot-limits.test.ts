/**
 * A snapshot's cost is bounded by the limits, not by the input (issue 9
 * item 12): a Proxy listing a million keys has its traps called no more than
 * `maxKeys`/`maxNodes` require, and a plain object with a million own keys
 * costs what the runtime's own key listing costs, no more.
 */
import { describe, expect, it } from "vitest";
import { MAX_KEYS_KEY, MAX_NODES, snapshot } from "../../src/core/snapshot.js";

const MILLION = 1_000_000;

function millionKeys(): string[] {
  return Array.from({ length: MILLION }, (_, i) => `k${i}`);
}

/** A Proxy over an empty object that pretends to own `keys`, counting every trap call. */
function countingProxy(keys: string[]) {
  const calls = { ownKeys: 0, getOwnPropertyDescriptor: 0, get: 0, other: 0 };
  const proxy = new Proxy(
    {},
    {
      ownKeys() {
        calls.ownKeys++;
        return keys;
      },
      getOwnPropertyDescriptor(_target, key) {
        calls.getOwnPropertyDescriptor++;
        return { value: String(key), enumerable: true, configurable: true, writable: true };
      },
      get(_target, key) {
        calls.get++;
        return typeof key === "string" ? key : undefined;
      },
      has() {
        calls.other++;
        return true;
      },
    },
  );
  return { proxy, calls };
}

describe("a Proxy with a million keys", () => {
  it("calls its traps no more than maxKeys requires", () => {
    const { proxy, calls } = countingProxy(millionKeys());
    const copy = snapshot(proxy) as Record<string, unknown>;
    expect(Object.keys(copy)).toHaveLength(1000 + 1);
    expect(copy.k0).toBe("k0");
    expect(copy.k999).toBe("k999");
    expect(copy[MAX_KEYS_KEY]).toBe(MILLION - 1000);
    expect(calls.ownKeys).toBe(1);
    expect(calls.getOwnPropertyDescriptor).toBe(1000);
    expect(calls.get).toBe(1000);
    expect(calls.other).toBe(0);
  });

  it("stops reading values at maxNodes and asks only about keys it shows", () => {
    const { proxy, calls } = countingProxy(Array.from({ length: 100_000 }, (_, i) => `k${i}`));
    const copy = snapshot({ inner: proxy }, { maxKeys: 50, maxNodes: 11 }) as { inner: Record<string, unknown> };
    // The root and `inner` are two of the 11 values; nine keys of the Proxy are read.
    expect(Object.values(copy.inner).filter((value) => value === MAX_NODES)).toHaveLength(50 - 9);
    expect(calls.get).toBe(9);
    expect(calls.getOwnPropertyDescriptor).toBe(50);
  });

  it("skips non-enumerable and symbol keys the way Object.keys does", () => {
    const target = { a: 1, b: 2 };
    Object.defineProperty(target, "hidden", { value: 3, enumerable: false });
    (target as Record<symbol, number>)[Symbol("s")] = 4;
    expect(snapshot(new Proxy(target, {}))).toEqual({ a: 1, b: 2 });
  });
});

describe("a plain object with a million own keys", () => {
  it("costs about what listing its keys costs (the runtime's floor)", () => {
    const big: Record<string, number> = {};
    for (let i = 0; i < MILLION; i++) big[`k${i}`] = i;
    const timed = (work: () => unknown): number => {
      const start = process.hrtime.bigint();
      work();
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    const floor: number[] = [];
    const copy: number[] = [];
    let result: unknown;
    for (let round = 0; round < 2; round++) {
      floor.push(timed(() => Object.keys(big)));
      copy.push(timed(() => (result = snapshot(big))));
    }
    // The faster of two rounds each: the machine may be busy with other work.
    const best = (values: number[]) => Math.min(...values);
    expect((result as Record<string, unknown>)[MAX_KEYS_KEY]).toBe(MILLION - 1000);
    // Copying 1000 keys adds well under a millisecond; the rest is the key listing.
    expect(best(copy)).toBeLessThan(best(floor) * 2 + 5);
  });
});
