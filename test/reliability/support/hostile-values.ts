/**
 * Values built to break serializers and error mappers: cycles, Proxies whose
 * traps throw, throwing getters and `toJSON`, huge and sparse arrays, huge
 * strings, prototype-less objects, `__proto__` keys. Each builder makes a
 * fresh value (cycles and proxies cannot be shared safely between runs);
 * the big ones are cached because building them is the slow part.
 */
import fc from "fast-check";

const boom = (where: string) => (): never => {
  throw new Error(`hostile ${where}`);
};

const TEN_MB_STRING = "x".repeat(10 * 1024 * 1024);
const MILLION_ITEMS = new Array<number>(1_000_000).fill(7);

function throwingProxy(target: object = {}): object {
  return new Proxy(target, {
    get: boom("get trap"),
    set: boom("set trap"),
    has: boom("has trap"),
    ownKeys: boom("ownKeys trap"),
    getOwnPropertyDescriptor: boom("getOwnPropertyDescriptor trap"),
    getPrototypeOf: boom("getPrototypeOf trap"),
    defineProperty: boom("defineProperty trap"),
    deleteProperty: boom("deleteProperty trap"),
    apply: boom("apply trap"),
  });
}

export const hostileBuilders: Record<string, () => unknown> = {
  cycle: () => {
    const node: Record<string, unknown> = { name: "root" };
    node.self = node;
    node.children = [node, { parent: node }];
    return node;
  },
  "proxy with throwing traps": () => throwingProxy(),
  "proxy of an array with throwing traps": () => throwingProxy([1, 2, 3]),
  "revoked proxy": () => {
    const { proxy, revoke } = Proxy.revocable({ a: 1 }, {});
    revoke();
    return proxy;
  },
  "throwing getter": () =>
    Object.defineProperty({ sibling: "kept" }, "boom", { enumerable: true, get: boom("getter") }),
  "getter returning a fresh object each time": () => {
    const endless = {
      get next(): object {
        return endless2();
      },
    };
    const endless2 = (): object => ({
      get next(): object {
        return endless2();
      },
    });
    return endless;
  },
  "sparse array of length 1e9": () => {
    const sparse: unknown[] = [];
    sparse.length = 1e9;
    sparse[3] = "three";
    sparse[999_999_999] = "last";
    return sparse;
  },
  "array of 1e6 elements": () => MILLION_ITEMS,
  "10 MB string": () => TEN_MB_STRING,
  "object holding a 10 MB string": () => ({ payload: TEN_MB_STRING }),
  "frozen object": () => Object.freeze({ a: Object.freeze({ b: [1, 2] }) }),
  "toJSON that throws": () => ({ toJSON: boom("toJSON"), plain: 1 }),
  "prototype-less object": () => Object.assign(Object.create(null) as object, { a: 1, nested: Object.create(null) }),
  "__proto__ own key": () => JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}'),
  "symbol keys and values": () => ({ [Symbol("k")]: 1, s: Symbol("v") }),
  "bigint and non-finite numbers": () => ({ big: 10n ** 30n, nan: NaN, inf: -Infinity }),
  "Map with object keys and Set": () => new Map<unknown, unknown>([[{}, new Set([1, {}])]]),
  "invalid Date": () => new Date(Number.NaN),
  "typed array": () => new Uint8Array(64),
  "function with properties": () => Object.assign(() => 1, { secret: "x" }),
  "object with 10 000 keys": () => Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i])),
  "deep nesting (5000 levels)": () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 5000; i++) deep = { deep };
    return deep;
  },
  "thenable whose then getter throws": () =>
    Object.defineProperty({}, "then", { enumerable: true, get: boom("then getter") }),
  "class instance with a throwing constructor getter": () => {
    class Weird {
      field = 1;
    }
    Object.defineProperty(Weird.prototype, "constructor", { get: boom("constructor getter") });
    return new Weird();
  },
};

/** Errors with hostile parts; thrown values are also any of the builders above. */
export const hostileErrorBuilders: Record<string, () => unknown> = {
  "Error with a throwing message getter": () =>
    Object.defineProperty(new Error("x"), "message", { get: boom("message getter") }),
  "Error with a throwing stack getter": () =>
    Object.defineProperty(new Error("x"), "stack", { get: boom("stack getter") }),
  "Error with a throwing name getter": () =>
    Object.defineProperty(new Error("x"), "name", { get: boom("name getter") }),
  "Error with a 10 MB message": () => new Error(TEN_MB_STRING),
  "Error with a hostile cause": () => new Error("outer", { cause: throwingProxy() }),
  "Error whose cause is itself": () => {
    const error = new Error("self-caused");
    (error as { cause?: unknown }).cause = error;
    return error;
  },
  "Error with an object code": () => Object.assign(new Error("x"), { code: { nested: true } }),
  "AggregateError of hostile errors": () => new AggregateError([throwingProxy(), new Error("inner")], "many"),
  "null-prototype error-like": () => Object.assign(Object.create(null) as object, { message: "like an error" }),
};

/** A hostile value, a JSON-ish one, or a JSON-ish container holding a hostile value. */
export function hostileOrJsonValue(builders: Record<string, () => unknown> = hostileBuilders): fc.Arbitrary<{
  label: string;
  make: () => unknown;
}> {
  const names = Object.keys(builders);
  const hostile = fc.constantFrom(...names).map((name) => ({ label: name, make: builders[name]! }));
  const json = fc.jsonValue({ maxDepth: 4 }).map((value) => ({ label: "json", make: () => value }));
  const nested = fc
    .tuple(fc.constantFrom(...names), fc.jsonValue({ maxDepth: 2 }))
    .map(([name, value]) => ({
      label: `json holding ${name}`,
      make: () => ({ json: value, hostile: builders[name]!(), list: [value, builders[name]!()] }),
    }));
  return fc.oneof(hostile, json, nested);
}
