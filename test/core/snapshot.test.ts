import { describe, expect, it } from "vitest";
import { createIntentProofClient } from "../../src/index.js";
import { asJsonBody } from "../../src/core/serialize-options.js";
import {
  BASE64_PREFIX,
  CIRCULAR,
  DEFAULT_MAX_NODES,
  DEFAULT_SERIALIZE_OPTIONS,
  MAX_DEPTH,
  MAX_DEPTH_LIMIT,
  MAX_KEYS_KEY,
  MAX_NODES,
  REDACTED,
  TRUNCATED_SUFFIX,
  UNSERIALIZABLE,
  UNSUPPORTED_FUNCTION,
  UNSUPPORTED_SYMBOL,
  maxKeysMoreToken,
  resolveSerializeOptions,
  snapshot,
  snapshotValue,
  unsupportedTypeToken,
} from "../../src/core/snapshot.js";
import type { JsonValue } from "../../src/core/types.js";
import { CheckedExporter } from "../support/event-validator.js";

/** The result must survive a JSON round trip unchanged. */
function expectJsonSafe(value: JsonValue): void {
  expect(JSON.parse(JSON.stringify(value))).toStrictEqual(value);
}

function snap(value: unknown, options?: Parameters<typeof snapshot>[1]): JsonValue {
  const result = snapshot(value, options);
  expectJsonSafe(result);
  return result;
}

describe("snapshot tokens", () => {
  it("pins the token strings of the API table", () => {
    expect([REDACTED, CIRCULAR, MAX_DEPTH, MAX_NODES, TRUNCATED_SUFFIX, MAX_KEYS_KEY, UNSERIALIZABLE, BASE64_PREFIX]).toEqual([
      "[REDACTED]",
      "[Circular]",
      "[MaxDepth]",
      "[MaxNodes]",
      "[Truncated]",
      "[MaxKeys]",
      "[Unserializable]",
      "base64:",
    ]);
    expect(UNSUPPORTED_FUNCTION).toBe("[UnsupportedType:function]");
    expect(UNSUPPORTED_SYMBOL).toBe("[UnsupportedType:symbol]");
    expect(unsupportedTypeToken("Promise")).toBe("[UnsupportedType:Promise]");
    expect(maxKeysMoreToken(7)).toBe("[MaxKeys:7 more]");
  });
});

describe("snapshot: primitives", () => {
  it("keeps JSON primitives as they are", () => {
    expect(snap("text")).toBe("text");
    expect(snap("")).toBe("");
    expect(snap(42.5)).toBe(42.5);
    expect(snap(true)).toBe(true);
    expect(snap(false)).toBe(false);
    expect(snap(null)).toBe(null);
  });

  it("turns NaN and ±Infinity into null and -0 into 0", () => {
    expect(snap(Number.NaN)).toBe(null);
    expect(snap(Number.POSITIVE_INFINITY)).toBe(null);
    expect(snap(Number.NEGATIVE_INFINITY)).toBe(null);
    expect(Object.is(snap(-0), 0)).toBe(true);
    expect(snap({ a: [Number.NaN, -0, Infinity] })).toEqual({ a: [null, 0, null] });
  });

  it("writes a bigint as its decimal string", () => {
    expect(snap(10n)).toBe("10");
    expect(snap(-123456789012345678901234567890n)).toBe("-123456789012345678901234567890");
    expect(snap({ n: 2n ** 70n })).toEqual({ n: "1180591620717411303424" });
  });

  it("maps undefined to null at the root and in arrays, and omits it as a property", () => {
    expect(snap(undefined)).toBe(null);
    expect(snap([undefined, 1])).toEqual([null, 1]);
    expect(snap({ a: undefined, b: 1 })).toStrictEqual({ b: 1 });
  });

  it("replaces functions and symbols with their UnsupportedType token", () => {
    expect(snap(() => 1)).toBe("[UnsupportedType:function]");
    expect(snap(class Foo {})).toBe("[UnsupportedType:function]");
    expect(snap(Symbol("s"))).toBe("[UnsupportedType:symbol]");
    expect(snap({ f() {}, s: Symbol.iterator })).toEqual({
      f: "[UnsupportedType:function]",
      s: "[UnsupportedType:symbol]",
    });
    expect(snap([() => 1, Symbol()])).toEqual(["[UnsupportedType:function]", "[UnsupportedType:symbol]"]);
  });
});

describe("snapshot: strings", () => {
  it("truncates a string longer than maxStringLength with the suffix", () => {
    expect(snap("abcdefgh", { maxStringLength: 3 })).toBe("abc[Truncated]");
    expect(snap("abc", { maxStringLength: 3 })).toBe("abc");
    expect(snap({ s: ["abcd"] }, { maxStringLength: 2 })).toEqual({ s: ["ab[Truncated]"] });
  });

  it("uses 65536 characters by default", () => {
    const exact = "x".repeat(65536);
    expect(snap(exact)).toBe(exact);
    expect(snap(exact + "y")).toBe(exact + "[Truncated]");
  });

  it("truncates object keys, Map keys and long bigints by the same rule", () => {
    expect(snap({ abcdef: 1 }, { maxStringLength: 2 })).toEqual({ "ab[Truncated]": 1 });
    expect(snap(new Map([["abcdef", 1]]), { maxStringLength: 2 })).toEqual({ "ab[Truncated]": 1 });
    expect(snap(123456n, { maxStringLength: 3 })).toBe("123[Truncated]");
  });
});

describe("snapshot: dates and bytes", () => {
  it("writes a Date as its ISO string and an invalid Date as null", () => {
    expect(snap(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)))).toBe("2024-01-02T03:04:05.006Z");
    expect(snap(new Date(Number.NaN))).toBe(null);
    expect(snap({ at: new Date(0) })).toEqual({ at: "1970-01-01T00:00:00.000Z" });
  });

  it("does not call a Date's overridden toJSON or toISOString", () => {
    const date = new Date(0);
    Object.defineProperty(date, "toISOString", { value: () => "hacked" });
    Object.defineProperty(date, "toJSON", { value: () => "hacked" });
    expect(snap(date)).toBe("1970-01-01T00:00:00.000Z");
  });

  it("writes Buffer, typed arrays, DataView and ArrayBuffer as base64", () => {
    const bytes = [104, 105, 33];
    expect(snap(Buffer.from("hi!"))).toBe("base64:aGkh");
    expect(snap(new Uint8Array(bytes))).toBe("base64:aGkh");
    expect(snap(new Uint8Array(bytes).buffer)).toBe("base64:aGkh");
    expect(snap(new DataView(new Uint8Array(bytes).buffer))).toBe("base64:aGkh");
    expect(snap(new Uint16Array([1]))).toBe("base64:AQA=");
    expect(snap(new Float64Array(0))).toBe("base64:");
    expect(snap(new SharedArrayBuffer(2))).toBe("base64:AAA=");
  });

  it("encodes only the bytes of a view, not its whole backing buffer", () => {
    const backing = Buffer.from("0123456789");
    expect(snap(backing.subarray(2, 5))).toBe("base64:" + Buffer.from("234").toString("base64"));
    expect(snap(new DataView(backing.buffer, backing.byteOffset + 8, 2))).toBe(
      "base64:" + Buffer.from("89").toString("base64"),
    );
  });

  it("caps the encoded bytes and truncates the base64 text like a string", () => {
    const big = Buffer.alloc(1_000_000, 7);
    const result = snap(big, { maxStringLength: 20 });
    const full = "base64:" + big.toString("base64");
    expect(result).toBe(full.slice(0, 20) + "[Truncated]");
    // At the boundary: a text of exactly maxStringLength characters stays whole.
    expect(snap(Buffer.from("hi!"), { maxStringLength: 11 })).toBe("base64:aGkh");
    expect(snap(Buffer.from("hi!"), { maxStringLength: 10 })).toBe("base64:aGk[Truncated]");
  });
});

describe("snapshot: host values", () => {
  it("replaces host values with their constructor name", () => {
    expect(snap(Promise.resolve(1))).toBe("[UnsupportedType:Promise]");
    expect(snap(new WeakMap())).toBe("[UnsupportedType:WeakMap]");
    expect(snap(new WeakSet())).toBe("[UnsupportedType:WeakSet]");
    expect(snap(new WeakRef({}))).toBe("[UnsupportedType:WeakRef]");
    expect(snap(/ab+c/g)).toBe("[UnsupportedType:RegExp]");
    expect(snap((function* () {})())).toBe("[UnsupportedType:Generator]");
    expect(snap(new Map().keys())).toBe("[UnsupportedType:MapIterator]");
    class MyPromise<T> extends Promise<T> {}
    expect(snap(MyPromise.resolve(1))).toBe("[UnsupportedType:MyPromise]");
  });

  it("unwraps boxed primitives", () => {
    expect(snap(new String("x"))).toBe("x");
    expect(snap(new Number(3))).toBe(3);
    expect(snap(new Number(Number.NaN))).toBe(null);
    expect(snap(new Boolean(false))).toBe(false);
    expect(snap(Object(5n))).toBe("5");
    expect(snap(Object(Symbol("s")))).toBe("[UnsupportedType:symbol]");
    expect(snap(new String("abcdef"), { maxStringLength: 2 })).toBe("ab[Truncated]");
  });
});

describe("snapshot: objects and arrays", () => {
  it("copies plain objects and arrays deeply into new objects", () => {
    const input = { a: 1, b: { c: [1, "two", { d: null }] } };
    const result = snap(input);
    expect(result).toStrictEqual(input);
    expect(result).not.toBe(input);
    expect((result as { b: unknown }).b).not.toBe(input.b);
  });

  it("copies a class instance's own enumerable properties only", () => {
    class Account {
      id = "acc_1";
      balance = 10;
      #secret = "hidden";
      get display(): string {
        return this.#secret;
      }
    }
    const account = new Account();
    Object.defineProperty(account, "hiddenOwn", { value: 1, enumerable: false });
    expect(snap(account)).toStrictEqual({ id: "acc_1", balance: 10 });
  });

  it("copies objects without a prototype", () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.x = 1;
    bare.nested = Object.assign(Object.create(null) as object, { y: 2 });
    const result = snap(bare);
    expect(result).toStrictEqual({ x: 1, nested: { y: 2 } });
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
  });

  it("ignores symbol keys", () => {
    expect(snap({ [Symbol("k")]: 1, a: 2 })).toStrictEqual({ a: 2 });
  });

  it("never calls toJSON, even one that throws", () => {
    let calls = 0;
    const value = {
      a: 1,
      toJSON() {
        calls++;
        throw new Error("toJSON must not run");
      },
    };
    expect(snap(value)).toEqual({ a: 1, toJSON: "[UnsupportedType:function]" });
    class Money {
      constructor(readonly cents: number) {}
      toJSON(): string {
        calls++;
        return "$";
      }
    }
    expect(snap(new Money(5))).toEqual({ cents: 5 });
    expect(calls).toBe(0);
  });

  it("for a JSON body (asJsonBody), follows toJSON as JSON.stringify does, so hidden fields stay out", () => {
    const json = asJsonBody(DEFAULT_SERIALIZE_OPTIONS);
    class User {
      constructor(
        readonly id: string,
        readonly passwordHash: string,
      ) {}
      toJSON() {
        return { id: this.id };
      }
    }
    class Looping {
      a = 1;
      toJSON() {
        return this; // copied as is, not asked again
      }
    }
    const user = new User("u1", "$2b$secret");
    const body = { user, users: [user], at: new Date(0), n: { toJSON: () => 7 }, loop: new Looping() };
    expect(snapshotValue(body, json)).toEqual(JSON.parse(JSON.stringify(body)));
    expect(JSON.stringify(snapshotValue(body, json))).not.toContain("secret");
    // A throwing toJSON is a token, never an exception; the siblings are kept.
    const broken = { ok: 1, bad: { toJSON: () => { throw new Error("no"); } } };
    expect(snapshotValue(broken, json)).toEqual({ ok: 1, bad: UNSERIALIZABLE });
    // Made once per options object; the options stay as they were.
    expect(asJsonBody(DEFAULT_SERIALIZE_OPTIONS)).toBe(json);
    expect(snapshotValue(user, DEFAULT_SERIALIZE_OPTIONS)).toEqual({ id: "u1", passwordHash: "$2b$secret" });
  });

  it("for a JSON body, a Map, a Set, bytes, an Error and function members are what JSON.stringify sends, not their contents", () => {
    const json = asJsonBody(DEFAULT_SERIALIZE_OPTIONS);
    const body = {
      roles: new Map([["admin", "secret-grant"]]),
      tags: new Set(["secret-tag"]),
      bytes: new Uint8Array([104, 105]),
      raw: new Uint8Array([1]).buffer,
      buffer: Buffer.from("hi"),
      failure: new Error("secret-message"),
      describe: () => "x",
      list: [() => 1, Symbol("s"), 2],
      label: "grants",
    };
    expect(snapshotValue(body, json)).toEqual(JSON.parse(JSON.stringify(body)));
    expect(JSON.stringify(snapshotValue(body, json))).not.toContain("secret");
    // Everywhere else the serializer keeps its own forms.
    expect(snapshotValue(body.roles, DEFAULT_SERIALIZE_OPTIONS)).toEqual({ admin: "secret-grant" });
  });

  it("treats holes of a sparse array as null", () => {
    // eslint-disable-next-line no-sparse-arrays
    expect(snap([1, , 3])).toEqual([1, null, 3]);
  });

  it("copies array subclasses as arrays", () => {
    class List extends Array<number> {}
    expect(snap(List.from([1, 2]))).toEqual([1, 2]);
  });

  it("copies only own keys of plain objects even when Object.prototype has an enumerable property", () => {
    const value = { b: 1, a: { c: 2 } };
    const bare = Object.assign(Object.create(null) as object, { z: 1 });
    expect(snap(value)).toEqual({ b: 1, a: { c: 2 } });
    Object.defineProperty(Object.prototype, "injected", { value: "x", enumerable: true, configurable: true, writable: true });
    try {
      const copy = snap(value) as Record<string, JsonValue>;
      expect(Object.keys(copy)).toEqual(["b", "a"]);
      expect(Object.keys(copy.a as object)).toEqual(["c"]);
      expect(Object.keys(snap(bare) as object)).toEqual(["z"]);
      expect(Object.keys(snap({ ...value, n: { m: 1 } }, { maxKeys: 2 }) as object)).toEqual(["b", "a", "[MaxKeys]"]);
    } finally {
      delete (Object.prototype as { injected?: unknown }).injected;
    }
    expect(Object.keys(snap({ k: 1, l: 2, m: 3 }, { maxKeys: 2 }) as object)).toEqual(["k", "l", "[MaxKeys]"]);
    expect((snap({ k: 1, l: 2, m: 3 }, { maxKeys: 2 }) as Record<string, JsonValue>)["[MaxKeys]"]).toBe(1);
  });

  it("keeps an own __proto__ key as data and pollutes nothing", () => {
    const parsed = JSON.parse('{"__proto__":{"polluted":true},"a":1}') as unknown;
    const result = snap(parsed) as Record<string, JsonValue>;
    expect(Object.keys(result)).toEqual(["__proto__", "a"]);
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect((result as { polluted?: unknown }).polluted).toBeUndefined();
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(JSON.stringify(result)).toBe('{"__proto__":{"polluted":true},"a":1}');
    const fromMap = snap(new Map([["__proto__", { x: 1 }]]));
    expect(JSON.stringify(fromMap)).toBe('{"__proto__":{"x":1}}');
  });
});

describe("snapshot: cycles and depth", () => {
  it("marks an object met again on the current path as [Circular]", () => {
    const node: Record<string, unknown> = { name: "root" };
    node.self = node;
    node.child = { parent: node };
    expect(snap(node)).toEqual({ name: "root", self: "[Circular]", child: { parent: "[Circular]" } });
    const list: unknown[] = [1];
    list.push(list);
    expect(snap(list)).toEqual([1, "[Circular]"]);
  });

  it("copies a shared, non-circular object in every branch", () => {
    const shared = { v: 1 };
    expect(snap({ a: shared, b: shared, c: [shared, shared] })).toEqual({
      a: { v: 1 },
      b: { v: 1 },
      c: [{ v: 1 }, { v: 1 }],
    });
  });

  it("detects cycles through Maps, Sets and Map keys", () => {
    const map = new Map<string, unknown>();
    map.set("me", map);
    expect(snap(map)).toEqual({ me: "[Circular]" });
    const set = new Set<unknown>();
    set.add(set);
    expect(snap(set)).toEqual(["[Circular]"]);
    const keyed = new Map<unknown, unknown>();
    keyed.set(keyed, 1);
    expect(snap(keyed)).toEqual([["[Circular]", 1]]);
  });

  it("replaces containers at depth maxDepth with [MaxDepth], never primitives", () => {
    const deep = { l1: { l2: { l3: { l4: 1 } }, s: "kept" }, n: 1 };
    expect(snap(deep, { maxDepth: 2 })).toEqual({ l1: { l2: "[MaxDepth]", s: "kept" }, n: 1 });
    expect(snap(deep, { maxDepth: 1 })).toEqual({ l1: "[MaxDepth]", n: 1 });
    expect(snap([[[1]], 2], { maxDepth: 2 })).toEqual([["[MaxDepth]"], 2]);
    // Dates, bytes and host values are leaves: they keep their form at the limit.
    expect(snap({ d: new Date(0), b: Buffer.from("a"), p: Promise.resolve() }, { maxDepth: 1 })).toEqual({
      d: "1970-01-01T00:00:00.000Z",
      b: "base64:YQ==",
      p: "[UnsupportedType:Promise]",
    });
    expect(snap({ m: new Map(), s: new Set(), e: new Error("x") }, { maxDepth: 1 })).toEqual({
      m: "[MaxDepth]",
      s: "[MaxDepth]",
      e: "[MaxDepth]",
    });
  });

  it("defaults to depth 32", () => {
    const root: Record<string, unknown> = {};
    let cursor = root;
    for (let i = 0; i < 40; i++) {
      const next = {};
      cursor.next = next;
      cursor = next;
    }
    let result = snap(root) as Record<string, JsonValue> | string;
    let depth = 0;
    while (typeof result === "object") {
      result = result.next as Record<string, JsonValue> | string;
      depth++;
    }
    expect(depth).toBe(32);
    expect(result).toBe("[MaxDepth]");
  });

  it("prefers [Circular] over [MaxDepth] for a cycle at the limit", () => {
    const node: Record<string, unknown> = {};
    node.self = node;
    expect(snap(node, { maxDepth: 1 })).toEqual({ self: "[Circular]" });
  });
});

describe("snapshot: maxKeys", () => {
  it("keeps the first maxKeys keys of an object and counts the rest", () => {
    expect(snap({ a: 1, b: 2, c: 3, d: 4 }, { maxKeys: 2 })).toStrictEqual({ a: 1, b: 2, "[MaxKeys]": 2 });
    expect(snap({ a: 1, b: 2 }, { maxKeys: 2 })).toStrictEqual({ a: 1, b: 2 });
  });

  it("keeps the first maxKeys elements of an array and adds a count element", () => {
    expect(snap([1, 2, 3, 4, 5], { maxKeys: 3 })).toEqual([1, 2, 3, "[MaxKeys:2 more]"]);
    expect(snap([1, 2, 3], { maxKeys: 3 })).toEqual([1, 2, 3]);
  });

  it("uses 1000 by default", () => {
    const many = Array.from({ length: 1005 }, (_, i) => i);
    const result = snap(many) as JsonValue[];
    expect(result).toHaveLength(1001);
    expect(result[999]).toBe(999);
    expect(result[1000]).toBe("[MaxKeys:5 more]");
  });

  it("stays bounded on a sparse array of length 1e9", () => {
    const sparse: unknown[] = [];
    sparse.length = 1e9;
    sparse[1] = "x";
    const result = snap(sparse, { maxKeys: 3 });
    expect(result).toEqual([null, "x", null, "[MaxKeys:999999997 more]"]);
  });

  it("bounds Maps and Sets", () => {
    expect(snap(new Map([["a", 1], ["b", 2], ["c", 3]]), { maxKeys: 2 })).toStrictEqual({ a: 1, b: 2, "[MaxKeys]": 1 });
    expect(snap(new Map<unknown, number>([[{}, 1], [{}, 2], [{}, 3]]), { maxKeys: 1 })).toEqual([
      [{}, 1],
      "[MaxKeys:2 more]",
    ]);
    expect(snap(new Set([1, 2, 3]), { maxKeys: 2 })).toEqual([1, 2, "[MaxKeys:1 more]"]);
  });
});

describe("snapshot: Map, Set, Error", () => {
  it("turns a Map with string or number keys into an object", () => {
    expect(snap(new Map<unknown, unknown>([["a", 1], [2, { b: new Set(["x"]) }], ["u", undefined]]))).toStrictEqual({
      "2": { b: ["x"] },
      a: 1,
    });
    expect(snap(new Map([[Number.NaN, 1], [-0, 2]]))).toStrictEqual({ NaN: 1, "0": 2 });
  });

  it("turns a Map with any other key into [key, value] pairs", () => {
    expect(snap(new Map<unknown, unknown>([["a", 1], [{ id: 1 }, "obj"], [true, undefined]]))).toEqual([
      ["a", 1],
      [{ id: 1 }, "obj"],
      [true, null],
    ]);
  });

  it("turns a Set into an array", () => {
    expect(snap(new Set([1, "a", undefined, { x: 1 }]))).toEqual([1, "a", null, { x: 1 }]);
  });

  it("writes an Error as name and message, plus code when it is a string", () => {
    expect(snap(new TypeError("bad input"))).toStrictEqual({ name: "TypeError", message: "bad input" });
    const withCode = Object.assign(new Error("gone"), { code: "ENOENT", extra: 1 });
    expect(snap(withCode)).toStrictEqual({ name: "Error", message: "gone", code: "ENOENT" });
    expect(snap(Object.assign(new Error("x"), { code: 42 }))).toStrictEqual({ name: "Error", message: "x" });
    class PaymentError extends Error {
      override name = "PaymentError";
    }
    expect(snap({ error: new PaymentError("declined") })).toEqual({
      error: { name: "PaymentError", message: "declined" },
    });
  });

  it("survives an Error whose name or message getter throws", () => {
    const error = new Error("x");
    Object.defineProperty(error, "message", {
      get() {
        throw new Error("no");
      },
    });
    expect(snap(error)).toStrictEqual({ name: "Error", message: "" });
  });
});

describe("snapshot: redaction", () => {
  it("redacts listed keys case-insensitively at any depth", () => {
    const input = { Password: "p", user: { TOKEN: "t", name: "n", list: [{ password: "q" }] } };
    expect(snap(input, { redactKeys: ["password", "token"] })).toEqual({
      Password: "[REDACTED]",
      user: { TOKEN: "[REDACTED]", name: "n", list: [{ password: "[REDACTED]" }] },
    });
  });

  it("redacts whole subtrees and undefined values too", () => {
    expect(snap({ secret: { deep: 1 }, none: undefined }, { redactKeys: ["SECRET", "none"] })).toEqual({
      secret: "[REDACTED]",
      none: "[REDACTED]",
    });
  });

  it("does not run the getter of a redacted key", () => {
    let reads = 0;
    const input = {
      get apiKey(): string {
        reads++;
        return "k";
      },
    };
    expect(snap(input, { redactKeys: ["apikey"] })).toEqual({ apiKey: "[REDACTED]" });
    expect(reads).toBe(0);
  });

  it("redacts Map string keys in both Map forms", () => {
    expect(snap(new Map([["Authorization", "Bearer x"], ["ok", "y"]]), { redactKeys: ["authorization"] })).toEqual({
      Authorization: "[REDACTED]",
      ok: "y",
    });
    expect(snap(new Map<unknown, unknown>([["Authorization", "Bearer x"], [1n, "y"]]), { redactKeys: ["authorization"] })).toEqual([
      ["Authorization", "[REDACTED]"],
      ["1", "y"],
    ]);
  });

  it("redacts nothing by default", () => {
    expect(snap({ password: "p" })).toEqual({ password: "p" });
  });
});

describe("snapshot: hostile values", () => {
  it("replaces a throwing getter with [Unserializable] and keeps its siblings", () => {
    const input = {
      before: 1,
      get broken(): never {
        throw new Error("getter");
      },
      after: 2,
    };
    expect(snap(input)).toEqual({ before: 1, broken: "[Unserializable]", after: 2 });
  });

  it("replaces a throwing array element getter and keeps the other elements", () => {
    const list = [1, 2, 3];
    Object.defineProperty(list, 1, {
      get() {
        throw new Error("element");
      },
    });
    expect(snap(list)).toEqual([1, "[Unserializable]", 3]);
  });

  it("makes a Proxy whose get trap throws keep its keys with [Unserializable] values", () => {
    const proxy = new Proxy(
      { a: 1, b: 2 },
      {
        get() {
          throw new Error("get");
        },
      },
    );
    expect(snap({ p: proxy, ok: true })).toEqual({ p: { a: "[Unserializable]", b: "[Unserializable]" }, ok: true });
  });

  it("makes an object whose keys cannot be listed [Unserializable] as a whole", () => {
    const proxy = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error("ownKeys");
        },
      },
    );
    expect(snap({ p: proxy, ok: true })).toEqual({ p: "[Unserializable]", ok: true });
    expect(snap(proxy)).toBe("[Unserializable]");
  });

  it("handles a revoked Proxy", () => {
    const { proxy, revoke } = Proxy.revocable({ a: 1 }, {});
    revoke();
    expect(snap(proxy)).toBe("[Unserializable]");
    expect(snap([proxy, 1])).toEqual(["[Unserializable]", 1]);
  });

  it("copies a transparent Proxy like its target", () => {
    expect(snap(new Proxy({ a: [1] }, {}))).toEqual({ a: [1] });
    expect(snap(new Proxy([1, 2], {}))).toEqual([1, 2]);
  });

  it("bounds a Proxy array that lies about its length", () => {
    const liar = new Proxy([], {
      get(_target, key) {
        return key === "length" ? 1e12 : 0;
      },
    });
    expect(snap(liar, { maxKeys: 2 })).toEqual([0, 0, "[MaxKeys:999999999998 more]"]);
  });

  it("copies frozen objects", () => {
    expect(snap(Object.freeze({ a: Object.freeze([1]) }))).toEqual({ a: [1] });
  });
});

describe("snapshot: options", () => {
  it.each([
    [{ maxDepth: 0 }, /^snapshot: "maxDepth" must be a positive integer/],
    [{ maxDepth: 1.5 }, /"maxDepth" must be a positive integer/],
    [{ maxDepth: MAX_DEPTH_LIMIT + 1 }, /"maxDepth" must be a positive integer at most 1000, got 1001/],
    [{ maxKeys: -1 }, /^snapshot: "maxKeys" must be a positive integer/],
    [{ maxKeys: Number.NaN }, /"maxKeys" must be a positive integer/],
    [{ maxStringLength: "10" }, /^snapshot: "maxStringLength" must be a positive integer, got "10"/],
    [{ maxStringLength: Infinity }, /"maxStringLength" must be a positive integer/],
    [{ maxNodes: 0 }, /^snapshot: "maxNodes" must be a positive integer, got 0/],
    [{ maxNodes: 2.5 }, /"maxNodes" must be a positive integer/],
    [{ maxNodes: "100" }, /^snapshot: "maxNodes" must be a positive integer, got "100"/],
    [{ maxNodes: Infinity }, /"maxNodes" must be a positive integer/],
    [{ redactKeys: "password" }, /^snapshot: "redactKeys" must be an array of strings/],
    [{ redactKeys: ["ok", 1] }, /^snapshot: "redactKeys\[1\]" must be a string, got a number/],
  ])("rejects %o with a TypeError naming the field", (options, message) => {
    expect(() => snapshot({}, options as never)).toThrow(TypeError);
    expect(() => snapshot({}, options as never)).toThrow(message);
  });

  it("rejects options that are not an object", () => {
    expect(() => snapshot(1, 5 as never)).toThrow(TypeError);
  });

  it("accepts maxDepth up to the limit and rejects unknown fields with a suggestion", () => {
    expect(snapshot({ a: 1 }, { maxDepth: MAX_DEPTH_LIMIT })).toEqual({ a: 1 });
    expect(snapshot({ a: 1 }, { maxKeys: undefined })).toEqual({ a: 1 });
    expect(() => snapshot({ a: 1 }, { maxKey: 3 } as never)).toThrow('snapshot: unknown field "maxKey" (did you mean "maxKeys"?)');
    expect(() => snapshot({ a: 1 }, { intent: "x" } as never)).toThrow('snapshot: unknown field "intent"');
  });
});

describe("resolveSerializeOptions and snapshotValue", () => {
  it("exposes the spec defaults, frozen", () => {
    expect(DEFAULT_SERIALIZE_OPTIONS).toMatchObject({
      maxDepth: 32,
      maxKeys: 1000,
      maxStringLength: 65536,
      maxNodes: 10_000,
      redactKeys: [],
    });
    expect(DEFAULT_MAX_NODES).toBe(10_000);
    expect(Object.isFrozen(DEFAULT_SERIALIZE_OPTIONS)).toBe(true);
    expect(resolveSerializeOptions(undefined, "x")).toBe(DEFAULT_SERIALIZE_OPTIONS);
  });

  it("merges over a base, keeps base limits not given and accumulates redact keys", () => {
    const client = resolveSerializeOptions({ maxDepth: 5, redactKeys: ["Password"] }, "config");
    const wrap = resolveSerializeOptions({ maxStringLength: 8, redactKeys: ["token", "password"] }, "wrap", client);
    expect(wrap.maxDepth).toBe(5);
    expect(wrap.maxKeys).toBe(1000);
    expect(wrap.maxNodes).toBe(10_000);
    expect(resolveSerializeOptions({ maxNodes: 7 }, "wrap", client)).toMatchObject({ maxDepth: 5, maxNodes: 7 });
    expect(resolveSerializeOptions({ maxDepth: 3 }, "wrap", resolveSerializeOptions({ maxNodes: 7 }, "c")).maxNodes).toBe(7);
    expect(wrap.maxStringLength).toBe(8);
    expect(wrap.redactKeys).toEqual(["Password", "token", "password"]);
    expect([...wrap.redactSet].sort()).toEqual(["password", "token"]);
    expect(Object.isFrozen(wrap)).toBe(true);
    expect(resolveSerializeOptions(undefined, "wrap", client)).toBe(client);
    expect(snapshotValue({ password: "p", token: "t", note: "hello world" }, wrap)).toEqual({
      password: "[REDACTED]",
      token: "[REDACTED]",
      note: "hello wo[Truncated]",
    });
  });

  it("prefixes its TypeErrors with the caller's name", () => {
    expect(() => resolveSerializeOptions({ maxKeys: 0 }, "intentproof: config.serialization")).toThrow(
      'intentproof: config.serialization: "maxKeys" must be a positive integer, got 0',
    );
  });

  it("snapshot(value, options) equals snapshotValue with the resolved options", () => {
    const value = { a: "abcdef", b: [1, 2, 3], c: { d: { e: 1 } } };
    const options = { maxStringLength: 3, maxKeys: 2, maxDepth: 2 };
    expect(snapshot(value, options)).toEqual(snapshotValue(value, resolveSerializeOptions(options, "t")));
    expect(snapshot(value)).toEqual(snapshotValue(value, DEFAULT_SERIALIZE_OPTIONS));
  });

  it("returns primitives as they are", () => {
    const text = "same string";
    expect(snapshotValue(text, DEFAULT_SERIALIZE_OPTIONS)).toBe(text);
    expect(snapshotValue(7, DEFAULT_SERIALIZE_OPTIONS)).toBe(7);
  });
});

/** Values of a copy that are not the budget token (containers included). */
function countCopied(value: JsonValue): number {
  if (value === MAX_NODES) return 0;
  if (value === null || typeof value !== "object") return 1;
  let count = 1;
  for (const child of Array.isArray(value) ? value : Object.values(value)) count += countCopied(child);
  return count;
}

function countTokens(value: JsonValue): number {
  if (value === MAX_NODES) return 1;
  if (value === null || typeof value !== "object") return 0;
  let count = 0;
  for (const child of Array.isArray(value) ? value : Object.values(value)) count += countTokens(child);
  return count;
}

describe("snapshot: maxNodes", () => {
  it("copies exactly maxNodes values (the root first) and turns every later one into [MaxNodes]", () => {
    const input = { a: 1, b: 2, c: 3 };
    expect(snap(input, { maxNodes: 4 })).toStrictEqual({ a: 1, b: 2, c: 3 });
    expect(snap(input, { maxNodes: 3 })).toStrictEqual({ a: 1, b: 2, c: "[MaxNodes]" });
    expect(snap(input, { maxNodes: 1 })).toStrictEqual({ a: "[MaxNodes]", b: "[MaxNodes]", c: "[MaxNodes]" });
    expect(snap([1, 2, 3], { maxNodes: 2 })).toEqual([1, "[MaxNodes]", "[MaxNodes]"]);
    // A primitive root is one value: it always fits.
    expect(snap("text", { maxNodes: 1 })).toBe("text");
  });

  it("keeps the siblings and ancestors already copied when the budget runs out deep down", () => {
    const input = { a: { b: 1, c: { d: 2 } }, e: [3], f: 4 };
    // Visit order: root, a, b, c, d, e, 3, f.
    expect(snap(input, { maxNodes: 8 })).toEqual(input);
    expect(snap(input, { maxNodes: 5 })).toEqual({ a: { b: 1, c: { d: 2 } }, e: "[MaxNodes]", f: "[MaxNodes]" });
    expect(snap(input, { maxNodes: 4 })).toEqual({ a: { b: 1, c: { d: "[MaxNodes]" } }, e: "[MaxNodes]", f: "[MaxNodes]" });
    expect(snap(input, { maxNodes: 7 })).toEqual({ a: { b: 1, c: { d: 2 } }, e: [3], f: "[MaxNodes]" });
  });

  it("does not read a value once the budget is spent", () => {
    let reads = 0;
    const input = {
      first: 1,
      get second(): number {
        reads++;
        return 2;
      },
    };
    expect(snap(input, { maxNodes: 2 })).toEqual({ first: 1, second: "[MaxNodes]" });
    expect(reads).toBe(0);
  });

  it("charges a read undefined but not a redacted key, which stays [REDACTED]", () => {
    expect(snap({ gone: undefined, a: 1 }, { maxNodes: 2 })).toStrictEqual({ a: "[MaxNodes]" });
    expect(snap({ password: "p", a: 1, token: "t" }, { maxNodes: 2, redactKeys: ["password", "token"] })).toEqual({
      password: "[REDACTED]",
      a: 1,
      token: "[REDACTED]",
    });
    expect(snap({ a: 1, password: "p" }, { maxNodes: 1, redactKeys: ["password"] })).toEqual({
      a: "[MaxNodes]",
      password: "[REDACTED]",
    });
  });

  it("counts Map values, Map pairs with their key and value, and Set elements", () => {
    expect(snap(new Map([["a", 1], ["b", 2]]), { maxNodes: 2 })).toStrictEqual({ a: 1, b: "[MaxNodes]" });
    // Pairs: the pair, its key and its value are one value each.
    const pairs = new Map<unknown, unknown>([[true, 1], [false, 2]]);
    expect(snap(pairs, { maxNodes: 7 })).toEqual([[true, 1], [false, 2]]);
    expect(snap(pairs, { maxNodes: 6 })).toEqual([[true, 1], [false, "[MaxNodes]"]]);
    expect(snap(pairs, { maxNodes: 5 })).toEqual([[true, 1], ["[MaxNodes]", "[MaxNodes]"]]);
    expect(snap(pairs, { maxNodes: 4 })).toEqual([[true, 1], "[MaxNodes]"]);
    expect(snap(new Set(["x", "y", "z"]), { maxNodes: 3 })).toEqual(["x", "y", "[MaxNodes]"]);
    // An Error is one value: its name, message and code come with it.
    expect(snap({ e: new Error("boom") }, { maxNodes: 2 })).toEqual({ e: { name: "Error", message: "boom" } });
  });

  it("adds the maxKeys marker after the budget tokens", () => {
    expect(snap([1, 2, 3, 4], { maxNodes: 2, maxKeys: 3 })).toEqual([1, "[MaxNodes]", "[MaxNodes]", "[MaxKeys:1 more]"]);
    expect(snap({ a: 1, b: 2, c: 3 }, { maxNodes: 1, maxKeys: 2 })).toStrictEqual({
      a: "[MaxNodes]",
      b: "[MaxNodes]",
      "[MaxKeys]": 1,
    });
  });

  it("uses 10 000 values by default", () => {
    const rows = Array.from({ length: 10 }, () => Array.from({ length: 1000 }, (_, i) => i));
    // Root, then per row the row and its 1000 numbers: 10 011 values in all.
    const result = snap(rows) as JsonValue[][];
    expect(result.slice(0, 9)).toEqual(rows.slice(0, 9));
    const last = result[9]!;
    expect(last).toHaveLength(1000);
    expect(last[988]).toBe(988);
    expect(last.slice(989)).toEqual(Array.from({ length: 11 }, () => "[MaxNodes]"));
    expect(countCopied(result)).toBe(DEFAULT_MAX_NODES);
  });

  it("bounds a DAG that reuses one object at every level (30 levels, 2 references each)", () => {
    // Without the budget this is 2^30 paths to copy.
    let node: Record<string, unknown> = { leaf: 1 };
    for (let level = 0; level < 30; level++) node = { left: node, right: node };
    const result = snap(node);
    expect(countCopied(result)).toBe(DEFAULT_MAX_NODES);
    // Once spent, each open container finishes with tokens: at most one per level here.
    expect(countTokens(result)).toBeGreaterThan(0);
    expect(countTokens(result)).toBeLessThanOrEqual(31);
    // The leftmost path was copied whole before the budget ran out.
    let cursor = result as Record<string, JsonValue>;
    for (let level = 0; level < 30; level++) cursor = cursor.left as Record<string, JsonValue>;
    expect(cursor).toEqual({ leaf: 1 });
  });

  it("bounds a 200 000-value tree", () => {
    const tree = Array.from({ length: 200 }, (_, row) => Array.from({ length: 1000 }, (_, i) => row * 1000 + i));
    const result = snap(tree) as JsonValue[];
    expect(countCopied(result)).toBe(DEFAULT_MAX_NODES);
    // Rows 0-8 whole, row 9 cut inside, rows 10-199 never entered.
    expect(result.slice(10)).toEqual(Array.from({ length: 190 }, () => "[MaxNodes]"));
    expect(countTokens(result)).toBe(11 + 190);
    expect(JSON.stringify(result).length).toBeLessThan(100_000);
  });

  it("gives a snapshot taken inside a getter its own budget and restores the outer one", () => {
    const input = {
      a: 1,
      get inner(): string {
        // Spends its whole budget of 2; the outer copy still has two values left after it.
        return JSON.stringify(snapshot({ x: 1, y: 2, z: 3 }, { maxNodes: 2 }));
      },
      b: 2,
      c: 3,
    };
    expect(snap(input, { maxNodes: 4 })).toEqual({
      a: 1,
      inner: '{"x":1,"y":"[MaxNodes]","z":"[MaxNodes]"}',
      b: 2,
      c: "[MaxNodes]",
    });
  });

  it("applies maxNodes from a wrap and from config.serialization", () => {
    const checked = new CheckedExporter();
    const client = createIntentProofClient({ exporters: [checked], serialization: { maxNodes: 4 } });
    const labels = { intent: "Record an order", action: "orders.record" };
    // Each input and the output is its own snapshot, with its own budget.
    client.wrap(labels, (_order: unknown) => [1, 2, 3, 4])({ id: "o1", lines: [1, 2] });
    client.wrap({ ...labels, maxNodes: 2 }, (_order: unknown) => "done")({ id: "o1", lines: [1, 2] });
    const [fromConfig, fromWrap] = checked.getEvents();
    expect(fromConfig!.inputs).toEqual({ "0": { id: "o1", lines: [1, "[MaxNodes]"] } });
    expect(fromConfig!.output).toEqual([1, 2, 3, "[MaxNodes]"]);
    expect(fromWrap!.inputs).toEqual({ "0": { id: "o1", lines: "[MaxNodes]" } });
    expect(fromWrap!.output).toBe("done");
    expect(() => client.wrap({ ...labels, maxNodes: 0 }, () => 1)).toThrow(/"maxNodes" must be a positive integer/);
    expect(() => createIntentProofClient({ serialization: { maxNodes: -1 } })).toThrow(TypeError);
  });
});
