import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { snapshot, snapshotValue, resolveSerializeOptions } from "../../src/core/snapshot.js";
import type { JsonValue, SerializeOptions } from "../../src/core/types.js";

// Property-based and adversarial checks of the serializer's promises: it
// never throws for any value, its result is JSON-safe, and its size is
// bounded by the limits whatever the input's size.

const TRUNCATED = "[Truncated]";
/** Fixed tokens that may be longer than a tiny maxStringLength. */
const TOKEN = /^\[(UnsupportedType:.*|MaxKeys:\d+ more|Circular|MaxDepth|MaxNodes|REDACTED|Unserializable)\]$/s;

/**
 * Exact structural equality of two JSON values. (`toStrictEqual` compares
 * `constructor` properties, which misfires on data with a "constructor" key.)
 */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === null || typeof a !== "object") return Object.is(a, b);
  if (b === null || typeof b !== "object" || Array.isArray(a) !== Array.isArray(b)) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every(
    (key) => Object.prototype.hasOwnProperty.call(b, key) && sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
  );
}

function expectJsonRoundTrip(result: JsonValue): void {
  const text = JSON.stringify(result);
  expect(typeof text).toBe("string");
  if (!sameJson(JSON.parse(text), result)) expect(JSON.parse(text)).toStrictEqual(result);
}

/** Asserts every limit of `options` holds everywhere in `result`. */
function expectWithinLimits(
  result: JsonValue,
  options: Required<Pick<SerializeOptions, "maxDepth" | "maxKeys" | "maxStringLength">>,
): void {
  const maxText = options.maxStringLength + TRUNCATED.length;
  const visit = (value: JsonValue, depth: number): void => {
    if (typeof value === "string") {
      if (value.length > maxText) expect(value).toMatch(TOKEN);
      return;
    }
    if (typeof value === "number") {
      expect(Number.isFinite(value)).toBe(true);
      return;
    }
    if (value === null || typeof value === "boolean") return;
    expect(typeof value).toBe("object");
    // A container exists only above the depth limit.
    expect(depth).toBeLessThan(options.maxDepth);
    if (Array.isArray(value)) {
      expect(value.length).toBeLessThanOrEqual(options.maxKeys + 1);
      for (const element of value) visit(element, depth + 1);
      return;
    }
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    const keys = Object.keys(value);
    // An Error's fixed { name, message, code } shape is not cut at maxKeys.
    expect(keys.length).toBeLessThanOrEqual(Math.max(options.maxKeys + 1, 3));
    for (const key of keys) {
      if (key.length > maxText) expect(key).toMatch(TOKEN);
      visit(value[key]!, depth + 1);
    }
  };
  visit(result, 0);
}

/** Raise for a longer fuzzing session: SNAPSHOT_FUZZ_RUNS=20000 npx vitest run test/core/snapshot-hostile.test.ts */
const RUNS = Number(process.env.SNAPSHOT_FUZZ_RUNS ?? 300);

const DEFAULT_LIMITS = { maxDepth: 32, maxKeys: 1000, maxStringLength: 65536 };

const everyTrapThrows: ProxyHandler<object> = new Proxy(
  {},
  {
    get(_handler, trap) {
      return () => {
        throw new Error(`trap ${String(trap)}`);
      };
    },
  },
);

/** Fresh hostile values on every call, so no run can depend on another. */
function hostileValues(): unknown[] {
  const cyclic: Record<string, unknown> = { name: "cycle" };
  cyclic.self = cyclic;
  cyclic.list = [cyclic, { back: cyclic }];
  const mapCycle = new Map<unknown, unknown>();
  mapCycle.set(mapCycle, mapCycle);
  const sparse: unknown[] = [];
  sparse.length = 1e9;
  const throwingGetter = Object.defineProperty({ ok: 1 }, "boom", {
    enumerable: true,
    get() {
      throw new Error("getter");
    },
  });
  const bare = Object.create(null) as Record<string, unknown>;
  bare.inner = Object.create(null) as object;
  const toJsonThrows = {
    a: 1,
    toJSON() {
      throw new Error("toJSON");
    },
  };
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  return [
    cyclic,
    mapCycle,
    sparse,
    throwingGetter,
    bare,
    toJsonThrows,
    revocable.proxy,
    new Proxy({}, everyTrapThrows),
    new Proxy([], everyTrapThrows),
    new Proxy(() => 1, everyTrapThrows),
    Object.freeze({ frozen: Object.freeze([1, 2]) }),
    JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}'),
    new Error("plain"),
    Object.assign(new Error("coded"), { code: "E_CODE" }),
    new Date(Number.NaN),
    new Set([new Set([1])]),
    Buffer.alloc(16, 1),
    Promise.reject(new Error("ignored")).catch(() => undefined),
    Symbol("s"),
    10n ** 30n,
    Number.NaN,
    -0,
  ];
}

const HOSTILE_COUNT = hostileValues().length;

const keyArbitrary = fc.oneof(
  fc.string(),
  fc.constantFrom("__proto__", "constructor", "toJSON", "password", "PassWord", "length"),
);

const anythingArbitrary = fc.anything({
  key: keyArbitrary,
  maxDepth: 4,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
});

/**
 * fast-check inspects every generated value, which a hostile Proxy would
 * break, so the arbitrary yields a recipe and the property builds the value.
 */
const recipeArbitrary = fc.record({
  base: anythingArbitrary,
  hostile: fc.array(fc.nat({ max: HOSTILE_COUNT - 1 }), { maxLength: 4 }),
  keys: fc.array(keyArbitrary, { minLength: 4, maxLength: 4 }),
  shape: fc.constantFrom("alone", "array", "object", "nested"),
});

type Recipe = typeof recipeArbitrary extends fc.Arbitrary<infer R> ? R : never;

function buildValue(recipe: Recipe): unknown {
  const pool = hostileValues();
  const hostile = recipe.hostile.map((index) => pool[index]);
  switch (recipe.shape) {
    case "alone":
      return hostile.length > 0 ? hostile[0] : recipe.base;
    case "array":
      return [recipe.base, ...hostile];
    case "object": {
      const out: Record<string, unknown> = { base: recipe.base };
      // defineProperty so a "__proto__" key is data, as JSON.parse would make it.
      hostile.forEach((value, i) =>
        Object.defineProperty(out, recipe.keys[i]!, { value, enumerable: true, writable: true, configurable: true }),
      );
      return out;
    }
    default:
      return { deep: [{ base: recipe.base, hostile: new Map(hostile.map((value, i) => [recipe.keys[i], value])) }] };
  }
}

const limitsArbitrary = fc.record({
  maxDepth: fc.integer({ min: 1, max: 6 }),
  maxKeys: fc.integer({ min: 1, max: 6 }),
  maxStringLength: fc.integer({ min: 1, max: 40 }),
  maxNodes: fc.integer({ min: 1, max: 60 }),
  redactKeys: fc.array(keyArbitrary, { maxLength: 3 }),
});

/** Values of a copy that are not the `"[MaxNodes]"` token (containers included). */
function countCopied(value: JsonValue): number {
  if (value === "[MaxNodes]") return 0;
  if (value === null || typeof value !== "object") return 1;
  let count = 1;
  for (const child of Array.isArray(value) ? value : Object.values(value)) count += countCopied(child);
  return count;
}

describe("snapshot: property-based", () => {
  it("never throws and is JSON-safe for arbitrary values under the default limits", () => {
    fc.assert(
      fc.property(recipeArbitrary, (recipe) => {
        const result = snapshot(buildValue(recipe));
        expectJsonRoundTrip(result);
        expectWithinLimits(result, DEFAULT_LIMITS);
      }),
      { numRuns: RUNS },
    );
  });

  it("never throws, is JSON-safe and stays within varied limits", () => {
    fc.assert(
      fc.property(recipeArbitrary, limitsArbitrary, (recipe, limits) => {
        const result = snapshot(buildValue(recipe), limits);
        expectJsonRoundTrip(result);
        expectWithinLimits(result, limits);
      }),
      { numRuns: RUNS },
    );
  });

  it("copies JSON values unchanged (as a JSON round trip would) when within the limits", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (value) => {
        expect(snapshot(value)).toStrictEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: Math.ceil(RUNS * 2 / 3) },
    );
  });

  it("copies exactly maxNodes values of JSON data, the rest being [MaxNodes], and all of it within the budget", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), fc.integer({ min: 1, max: 40 }), (value, maxNodes) => {
        const result = snapshot(value, { maxNodes });
        const whole = snapshot(value);
        // Every value of JSON data is read and kept (no undefined, nothing redacted).
        const total = countCopied(whole);
        expect(countCopied(result)).toBe(Math.min(total, maxNodes));
        if (total <= maxNodes) expect(sameJson(result, whole)).toBe(true);
        else expect(JSON.stringify(result)).toContain('"[MaxNodes]"');
      }),
      { numRuns: RUNS },
    );
  });

  it("redacts every listed key wherever it appears", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.constantFrom("password", "PASSWORD", "Password"), (value, key) => {
        const input = { [key]: "secret", nested: [{ [key]: value }], other: value };
        const result = snapshot(input, { redactKeys: ["passWORD"] });
        const text = JSON.stringify(result);
        expect(text).not.toContain('"secret"');
        expect((result as Record<string, JsonValue>)[key]).toBe("[REDACTED]");
        expect(((result as { nested: Record<string, JsonValue>[] }).nested[0]!)[key]).toBe("[REDACTED]");
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });
});

describe("snapshot: hostile values", () => {
  it.each(hostileValues().map((value, index) => [index, value] as const))(
    "hostile value #%i never throws and round-trips through JSON",
    (_index, value) => {
      for (const options of [undefined, { maxDepth: 1, maxKeys: 1, maxStringLength: 1 }]) {
        const result = snapshot(value, options);
        expectJsonRoundTrip(result);
        expectWithinLimits(result, options ?? DEFAULT_LIMITS);
      }
    },
  );

  it("turns a Proxy whose every trap throws into [Unserializable]", () => {
    expect(snapshot(new Proxy({}, everyTrapThrows))).toBe("[Unserializable]");
    expect(snapshot(new Proxy([], everyTrapThrows))).toBe("[Unserializable]");
    expect(snapshot({ p: new Proxy({}, everyTrapThrows), kept: 1 })).toEqual({ p: "[Unserializable]", kept: 1 });
    // A callable Proxy is a function by typeof, which needs no trap.
    expect(snapshot(new Proxy(() => 1, everyTrapThrows))).toBe("[UnsupportedType:function]");
  });

  it("bounds a 10 MB string", () => {
    const huge = "x".repeat(10_000_000);
    const result = snapshot({ huge, list: [huge] });
    const text = JSON.stringify(result);
    expect(text.length).toBeLessThan(140_000);
    expect(JSON.stringify(snapshot(huge)).length).toBeLessThan(70_000);
    expect((result as { huge: string }).huge).toBe("x".repeat(65536) + "[Truncated]");
  });

  it("bounds a 10 MB buffer", () => {
    const result = snapshot(Buffer.alloc(10_000_000, 255));
    expect(JSON.stringify(result).length).toBeLessThan(70_000);
    expect(result).toMatch(/^base64:\/\/\/\/.*\[Truncated\]$/);
  });

  it("bounds a 1e6-element array and a 1e5-key object", () => {
    const million = Array.from({ length: 1_000_000 }, (_, i) => ({ i }));
    const result = snapshot(million) as JsonValue[];
    expect(result).toHaveLength(1001);
    expect(result[1000]).toBe("[MaxKeys:999000 more]");
    const wide: Record<string, number> = {};
    for (let i = 0; i < 100_000; i++) wide[`k${i}`] = i;
    const copy = snapshot(wide) as Record<string, JsonValue>;
    expect(Object.keys(copy)).toHaveLength(1001);
    expect(copy["[MaxKeys]"]).toBe(99_000);
  });

  it("bounds a sparse array of length 1e9", () => {
    const sparse: unknown[] = [];
    sparse.length = 1e9;
    sparse[5] = "five";
    const result = snapshot(sparse) as JsonValue[];
    expect(result).toHaveLength(1001);
    expect(result[5]).toBe("five");
    expect(result[0]).toBe(null);
    expect(result[1000]).toBe("[MaxKeys:999999000 more]");
  });

  it("bounds a DAG of shared objects whose every level multiplies the paths", () => {
    // 20 levels of 1000 references to the same object: 1000^20 paths.
    let node: unknown = { leaf: true };
    for (let level = 0; level < 20; level++) node = Array.from({ length: 1000 }, () => node);
    const result = snapshot(node);
    expect(countCopied(result)).toBe(10_000);
    expect(JSON.stringify(result).length).toBeLessThan(500_000);
  });

  it("stops a 100 000-level chain at the depth limit without exhausting the stack", () => {
    const root: Record<string, unknown> = {};
    let cursor = root;
    for (let i = 0; i < 100_000; i++) {
      const next: Record<string, unknown> = {};
      cursor.next = next;
      cursor = next;
    }
    for (const maxDepth of [32, 1000]) {
      const result = snapshot(root, { maxDepth });
      expect(() => JSON.stringify(result)).not.toThrow();
      expect(JSON.stringify(result)).toContain("[MaxDepth]");
    }
  });

  it("keeps __proto__ keys from JSON.parse as data without polluting any prototype", () => {
    const parsed = JSON.parse('{"a":{"__proto__":{"isAdmin":true}},"__proto__":[1]}') as unknown;
    const result = snapshot(parsed) as Record<string, JsonValue>;
    expect(JSON.stringify(result)).toBe('{"a":{"__proto__":{"isAdmin":true}},"__proto__":[1]}');
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(result.a)).toBe(Object.prototype);
    expect((result.a as { isAdmin?: unknown }).isAdmin).toBeUndefined();
    expect(({} as { isAdmin?: unknown }).isAdmin).toBeUndefined();
  });

  it("survives getters that mutate the object or snapshot re-entrantly", () => {
    const shared = { s: 1 };
    const target: Record<string, unknown> = {
      get grow() {
        for (let i = 0; i < 10; i++) target[`added${i}`] = i;
        return "grown";
      },
      get nested() {
        // A getter that itself snapshots (say, through a wrapped logger).
        return snapshot({ shared, again: shared });
      },
      shared,
    };
    const result = snapshot(target);
    expect(result).toEqual({ grow: "grown", nested: { shared: { s: 1 }, again: { s: 1 } }, shared: { s: 1 } });
  });

  it("does not depend on prototypes patched by user code", () => {
    const original = Map.prototype.entries;
    const originalSize = Object.getOwnPropertyDescriptor(Map.prototype, "size")!;
    try {
      Map.prototype.entries = () => {
        throw new Error("patched");
      };
      Object.defineProperty(Map.prototype, "size", { get: () => 1e9, configurable: true });
      expect(snapshot(new Map([["a", 1]]))).toEqual({ a: 1 });
    } finally {
      Map.prototype.entries = original;
      Object.defineProperty(Map.prototype, "size", originalSize);
    }
  });

  it("serves the engine's hot path with resolved options the same way", () => {
    const resolved = resolveSerializeOptions({ maxKeys: 2, redactKeys: ["token"] }, "test");
    for (const value of hostileValues()) {
      const result = snapshotValue(value, resolved);
      expectJsonRoundTrip(result);
    }
  });
});
