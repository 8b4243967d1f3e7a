import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import {
  IntentProofClient,
  MemoryExporter,
  VERSION,
  client as defaultClient,
  createIntentProofClient,
  getCorrelationId,
  getIntentProofClient,
  runWithCorrelationId,
} from "../../src/index.js";
import type { IntentProofConfig } from "../../src/index.js";
import { CheckedExporter, isUuidV4 } from "../support/event-validator.js";
import { CAPTURE_FAILED } from "../../src/core/execution.js";

function setup(config: IntentProofConfig = {}) {
  const checked = new CheckedExporter();
  const client = createIntentProofClient({ exporters: [checked], ...config });
  return { client, events: () => checked.getEvents(), checked };
}

const labels = { intent: "Refund the duplicate charge", action: "stripe.refund.create" };

describe("wrap: one event per call", () => {
  it("records a sync call with inputs keyed by index and the output", () => {
    const { client, events } = setup();
    const refund = client.wrap(labels, (orderId: string, amountCents: number) => ({ orderId, amountCents, ok: true }));
    expect(refund("ORD-1", 4999)).toEqual({ orderId: "ORD-1", amountCents: 4999, ok: true });
    expect(events()).toHaveLength(1);
    const [event] = events();
    expect(event).toMatchObject({
      intent: labels.intent,
      action: labels.action,
      status: "ok",
      inputs: { "0": "ORD-1", "1": 4999 },
      output: { orderId: "ORD-1", amountCents: 4999, ok: true },
    });
    expect(event!.error).toBeUndefined();
    expect(isUuidV4(event!.id)).toBe(true);
  });

  it("accepts the seed form wrap({ ...options, fn })", () => {
    const { client, events } = setup();
    const probe = client.wrap({ ...labels, fn: (n: number) => n * 2 });
    expect(probe(21)).toBe(42);
    expect(events()[0]).toMatchObject({ inputs: { "0": 21 }, output: 42 });
  });

  it("gives output null (not a crash) when the function returns undefined", () => {
    const { client, events } = setup();
    const noop = client.wrap(labels, () => undefined);
    expect(noop()).toBeUndefined();
    expect(events()[0]).toMatchObject({ status: "ok", output: null, inputs: {} });
  });

  it("records an async call when its promise settles, returning the same promise", async () => {
    const { client, events } = setup();
    const slow = client.wrap(labels, async (x: number) => {
      await new Promise((resolve) => setTimeout(resolve, 15));
      return x + 1;
    });
    const pending = slow(1);
    expect(events()).toHaveLength(0);
    expect(await pending).toBe(2);
    expect(events()).toHaveLength(1);
    expect(events()[0]!.output).toBe(2);
    expect(events()[0]!.durationMs).toBeGreaterThanOrEqual(10);
  });

  it("passes `this` through and keeps name and length", () => {
    const { client, events } = setup();
    const account = {
      balance: 10,
      debit: client.wrap(labels, function debit(this: { balance: number }, amount: number) {
        this.balance -= amount;
        return this.balance;
      }),
    };
    expect(account.debit(3)).toBe(7);
    expect(account.debit.name).toBe("debit");
    expect(account.debit.length).toBe(1);
    expect(events()[0]!.output).toBe(7);
  });

  it("rethrows the very same error and records it with name, message, stack and one level of cause", () => {
    const { client, events } = setup();
    const root = new RangeError("min exclusive 0");
    const thrown = Object.assign(new Error("amount must be positive", { cause: root }), { code: "invalid_amount" });
    const confirm = client.wrap(labels, () => {
      throw thrown;
    });
    let caught: unknown;
    try {
      confirm();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBe(thrown);
    const [event] = events();
    expect(event!.status).toBe("error");
    expect(event!.output).toBeUndefined();
    expect(event!.error).toMatchObject({ name: "Error", message: "amount must be positive", code: "invalid_amount" });
    expect(event!.error!.stack).toContain("amount must be positive");
    expect(event!.error!.cause).toMatchObject({ name: "RangeError", message: "min exclusive 0" });
  });

  it.each([
    ["a string", "boom", "boom"],
    ["undefined", undefined, "undefined"],
    ["null", null, "null"],
    ["a number", 42, "42"],
    ["a plain object", { reason: "x" }, "[object Object]"],
  ])("records a valid error when the function throws %s", async (_label, value, message) => {
    const { client, events } = setup();
    const sync = client.wrap(labels, () => {
      throw value;
    });
    const async = client.wrap(labels, async () => {
      throw value;
    });
    expect(() => sync()).toThrow();
    await expect(async()).rejects.toBe(value);
    for (const event of events()) {
      expect(event.error).toEqual({ name: "Error", message, stack: null });
    }
    expect(events()).toHaveLength(2);
  });

  it("removes stacks when includeErrorStack / captureStack is false, on the client or per wrap", () => {
    const noStacks = setup({ includeErrorStack: false });
    const fail = () => {
      throw new Error("no", { cause: new Error("deeper") });
    };
    expect(() => noStacks.client.wrap(labels, fail)()).toThrow();
    expect(noStacks.events()[0]!.error!.stack).toBeNull();
    expect(noStacks.events()[0]!.error!.cause!.stack).toBeNull();

    const perWrap = setup();
    expect(() => perWrap.client.wrap({ ...labels, captureStack: false }, fail)()).toThrow();
    expect(() => perWrap.client.wrap({ ...labels, includeErrorStack: false }, fail)()).toThrow();
    expect(perWrap.events().map((e) => e.error!.stack)).toEqual([null, null]);
  });

  it("adopts a foreign thenable once and records its value", async () => {
    const { client, events } = setup();
    let thenCalls = 0;
    const lazyQuery = {
      then(resolve: (value: unknown) => void) {
        thenCalls++;
        resolve({ rows: 3 });
      },
    };
    const query = client.wrap(labels, () => lazyQuery);
    expect(await query()).toEqual({ rows: 3 });
    expect(thenCalls).toBe(1);
    expect(events()[0]!.output).toEqual({ rows: 3 });
  });
  it("records a Proxy around a promise whose `then` throws as returned, without throwing", () => {
    const { client, events } = setup();
    const hostile = new Proxy(Promise.resolve(1), {
      get(target, key) {
        if (key === "then") throw new Error("trap");
        return Reflect.get(target, key);
      },
    });
    const call = client.wrap(labels, () => hostile);
    expect(call()).toBe(hostile);
    expect(events()).toHaveLength(1);
    expect(events()[0]!.status).toBe("ok");
  });
});

describe("capture options and hooks", () => {
  it("captureInputs: false gives {} and captureOutput: false gives null", () => {
    const { client, events } = setup();
    client.wrap({ ...labels, captureInputs: false, captureOutput: false }, (secret: string) => secret.length)("pw");
    expect(events()[0]).toMatchObject({ inputs: {}, output: null });
  });

  it("captureInput / captureOutput / captureError replace the default snapshots", async () => {
    const { client, events } = setup();
    const capture = client.wrap(
      {
        intent: "Capture authorized funds",
        action: "stripe.payment_intent.capture",
        captureInput: ([input]) => ({ paymentIntentId: (input as { paymentIntentId: string }).paymentIntentId }),
        captureError: () => ({ code: "card_declined", retryable: false }),
      },
      async (_input: { paymentIntentId: string; card: string }) => {
        throw new Error("Your card was declined.");
      },
    );
    await expect(capture({ paymentIntentId: "pi_1", card: "4242" })).rejects.toThrow("declined");
    expect(events()[0]).toMatchObject({
      status: "error",
      inputs: { paymentIntentId: "pi_1" },
      output: { code: "card_declined", retryable: false },
      error: { name: "Error", message: "Your card was declined." },
    });

    client.wrap({ ...labels, captureOutput: (r) => ({ id: (r as { id: string }).id }) }, () => ({ id: "re_1", raw: "x" }))();
    expect(events()[1]!.output).toEqual({ id: "re_1" });
  });

  it("keys an array from captureInput by index and wraps a scalar as { value }", () => {
    const { client, events } = setup();
    client.wrap({ ...labels, captureInput: () => ["a", "b"] }, () => 1)();
    client.wrap({ ...labels, captureInput: () => 7 }, () => 1)();
    expect(events().map((e) => e.inputs)).toEqual([{ "0": "a", "1": "b" }, { value: 7 }]);
  });

  it("records [CaptureFailed] for a hook that throws, never the default snapshot it was written to narrow, and never breaks the call", () => {
    const { client, events } = setup();
    const explode = () => {
      throw new Error("hook bug");
    };
    const card = { number: "4111111111111111", cvc: "123" };
    const ok = client.wrap({ ...labels, captureInput: explode, captureOutput: explode }, (c: typeof card) => c);
    expect(ok(card)).toBe(card);
    expect(events()[0]).toMatchObject({ inputs: { value: CAPTURE_FAILED }, output: CAPTURE_FAILED });
    expect(JSON.stringify(events()[0])).not.toContain("4111");
    const failing = client.wrap({ ...labels, captureError: explode }, () => {
      throw Object.assign(new Error("real"), { card });
    });
    expect(() => failing()).toThrow("real");
    expect(events()[1]!.output).toBe(CAPTURE_FAILED);
    expect(events()[1]!.error!.message).toBe("real");
  });

  it("applies defaultWrapOptions under the call site and config serialization limits", () => {
    const { client, events } = setup({
      defaultWrapOptions: { captureOutput: false, attributes: { team: "billing" } },
      serialization: { redactKeys: ["Password"], maxStringLength: 8 },
    });
    client.wrap(labels, (_u: unknown) => "secret")({ user: "alexandra", nested: { PASSWORD: "x" } });
    client.wrap({ ...labels, captureOutput: true }, () => "value")();
    expect(events()[0]).toMatchObject({
      inputs: { "0": { user: "alexandr[Truncated]", nested: { PASSWORD: "[REDACTED]" } } },
      output: null,
      attributes: { team: "billing" },
    });
    expect(events()[1]!.output).toBe("value");
  });
});

describe("correlation", () => {
  it("generates a UUID v4 per top-level call and binds it for nested wraps", async () => {
    const { client, events } = setup();
    const inner = client.wrap({ intent: "inner", action: "inner" }, async () => getCorrelationId());
    const outer = client.wrap({ intent: "outer", action: "outer" }, async () => inner());
    const seen = await outer();
    const [innerEvent, outerEvent] = events();
    expect(isUuidV4(outerEvent!.correlationId!)).toBe(true);
    expect(innerEvent!.correlationId).toBe(outerEvent!.correlationId);
    expect(seen).toBe(outerEvent!.correlationId);
    await outer();
    expect(events()[3]!.correlationId).not.toBe(outerEvent!.correlationId);
  });

  it("uses the active id, an explicit one, or none when generation is off", () => {
    const { client, events } = setup();
    runWithCorrelationId("  req_42  ", () => client.wrap(labels, () => 1)());
    client.wrap({ ...labels, correlationId: " pinned " }, () => 1)();
    const off = setup({ correlation: { generateOnMissing: false } });
    off.client.wrap(labels, () => 1)();
    expect(events().map((e) => e.correlationId)).toEqual(["req_42", "pinned"]);
    expect("correlationId" in off.events()[0]!).toBe(false);
  });

  it("propagateCorrelation: false starts its own chain that nested wraps inherit", () => {
    const { client, events } = setup();
    const inner = client.wrap({ intent: "inner", action: "inner" }, () => 1);
    const isolated = client.wrap({ ...labels, propagateCorrelation: false }, () => inner());
    runWithCorrelationId("parent", () => isolated());
    const [innerEvent, isolatedEvent] = events();
    expect(isolatedEvent!.correlationId).not.toBe("parent");
    expect(innerEvent!.correlationId).toBe(isolatedEvent!.correlationId);
  });

  it("keeps parallel async branches apart", async () => {
    const { client, events } = setup();
    const step = client.wrap({ intent: "step", action: "step" }, async (n: number) => {
      await new Promise((resolve) => setTimeout(resolve, (n * 7) % 11));
      return getCorrelationId();
    });
    const ids = Array.from({ length: 30 }, (_, n) => `branch-${n}`);
    const seen = await Promise.all(
      ids.map((id, n) => runWithCorrelationId(id, async () => [await step(n), await step(n + 1)])),
    );
    expect(seen).toEqual(ids.map((id) => [id, id]));
    expect(events()).toHaveLength(60);
    for (const event of events()) expect(ids).toContain(event.correlationId);
  });

  it("withCorrelation uses a fresh UUID, a trimmed id, or a fresh UUID for a blank id", () => {
    const { client } = setup();
    expect(isUuidV4(client.withCorrelation(() => client.getCorrelationId())!)).toBe(true);
    expect(client.withCorrelation(" abc ", () => getCorrelationId())).toBe("abc");
    expect(isUuidV4(client.withCorrelation("   ", () => getCorrelationId())!)).toBe(true);
  });

  it("runWithCorrelationId rejects blank ids with a TypeError", () => {
    expect(() => runWithCorrelationId("  ", () => 1)).toThrow(TypeError);
    expect(() => runWithCorrelationId(5 as never, () => 1)).toThrow(TypeError);
  });
});

describe("attributes", () => {
  it("merges client defaults, then enclosing wraps' static attributes, then the wrap's own", () => {
    const { client, events } = setup({ defaultAttributes: { service: "billing-api", env: "test", step: "none" } });
    const inner = client.wrap({ ...labels, attributes: { step: "notify" } }, () => 1);
    const outer = client.wrap({ ...labels, attributes: { flow: "refund", step: "refund" } }, () => inner());
    outer();
    expect(events()[0]!.attributes).toEqual({ service: "billing-api", env: "test", flow: "refund", step: "notify" });
    expect(events()[1]!.attributes).toEqual({ service: "billing-api", env: "test", flow: "refund", step: "refund" });
  });

  it("rejects nested values and bad keys at wrap time with a TypeError naming the field", () => {
    const { client } = setup();
    expect(() => client.wrap({ ...labels, attributes: { meta: { a: 1 } as never } }, () => 1)).toThrow(/attributes\.meta/);
    expect(() => client.wrap({ ...labels, attributes: { "bad key": 1 } }, () => 1)).toThrow(/attributes/);
    expect(() => createIntentProofClient({ defaultAttributes: { n: Number.NaN } })).toThrow(/defaultAttributes\.n.*, got NaN$/);
    expect(() => client.wrap({ ...labels, attributes: { meta: { a: 1 } as never } }, () => 1)).toThrow(/, got an object$/);
  });

  it("names what it got in plain words: an object, or its class", () => {
    expect(() => createIntentProofClient({ exporters: new MemoryExporter() as never })).toThrow(
      /"exporters" must be an array, got a MemoryExporter$/,
    );
    expect(() => createIntentProofClient({ exporters: {} as never })).toThrow(/"exporters" must be an array, got an object$/);
  });
});

describe("exporters", () => {
  it("run in registration order; a throwing or rejecting one is reported and the next still runs", async () => {
    const order: string[] = [];
    const failures: Array<[unknown, string | undefined]> = [];
    const checked = new CheckedExporter();
    const client = createIntentProofClient({
      exporters: [
        { export: () => void order.push("a") },
        {
          export: () => {
            order.push("b");
            throw new Error("b broke");
          },
        },
        {
          export: async () => {
            order.push("c");
            throw new Error("c rejected");
          },
        },
        checked,
      ],
      onExporterError: (error, event) => failures.push([error, event?.action]),
    });
    expect(client.wrap(labels, () => "value")()).toBe("value");
    expect(order).toEqual(["a", "b", "c"]);
    expect(checked.getEvents()).toHaveLength(1);
    await client.flush();
    expect(failures.map(([error, action]) => [(error as Error).message, action])).toEqual([
      ["b broke", labels.action],
      ["c rejected", labels.action],
    ]);
  });

  it("contains an onExporterError hook that throws", () => {
    const client = createIntentProofClient({
      exporters: [
        {
          export: () => {
            throw new Error("x");
          },
        },
      ],
      onExporterError: () => {
        throw new Error("hook broke too");
      },
    });
    expect(client.wrap(labels, () => 1)()).toBe(1);
  });

  it("flush reports a never-settling export once after exporterTimeoutMs and returns", async () => {
    const failures: unknown[] = [];
    const client = createIntentProofClient({
      exporters: [{ export: () => new Promise<void>(() => {}) }],
      exporterTimeoutMs: 50,
      onExporterError: (error) => failures.push(error),
    });
    const call = client.wrap(labels, () => 1);
    expect(call()).toBe(1);
    expect(call()).toBe(1);
    await client.flush();
    await client.flush();
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatchObject({ name: "ExporterTimeoutError", code: "EXPORTER_TIMEOUT" });
  });

  it("flush and shutdown call each exporter's hooks and never reject", async () => {
    const calls: string[] = [];
    const failures: unknown[] = [];
    const client = createIntentProofClient({
      exporters: [
        { export() {}, flush: () => void calls.push("a.flush"), shutdown: () => void calls.push("a.shutdown") },
        {
          export() {},
          flush: async () => {
            calls.push("b.flush");
            throw new Error("flush failed");
          },
        },
      ],
      onExporterError: (error) => failures.push(error),
    });
    await client.flush();
    await client.shutdown();
    expect(calls).toEqual(["a.flush", "b.flush", "a.shutdown", "b.flush"]);
    expect(failures).toHaveLength(2);
  });

  it("defaults to one MemoryExporter", () => {
    const client = new IntentProofClient();
    expect(client.exporters).toHaveLength(1);
    expect(client.exporters[0]!.constructor.name).toBe("MemoryExporter");
  });
});

describe("configuration", () => {
  it.each([
    [{ exporters: [{}] }, /"exporters\[0\]" has no export\(\) method/],
    [{ exporters: "x" }, /"exporters"/],
    [{ onExporterError: 1 }, /"onExporterError"/],
    [{ includeErrorStack: "no" }, /"includeErrorStack"/],
    [{ correlation: { headerName: "bad header" } }, /"correlation\.headerName"/],
    [{ correlation: { generateOnMissing: 1 } }, /"correlation\.generateOnMissing"/],
    [{ serialization: { maxDepth: 0 } }, /maxDepth/],
    [{ defaultWrapOptions: { captureOutput: "x" } }, /"captureOutput"/],
    [{ exporterTimeoutMs: -1 }, /"exporterTimeoutMs"/],
    [{ exporter: [] }, /unknown field "exporter"/],
  ])("rejects %j with a TypeError naming the field", (config, message) => {
    expect(() => createIntentProofClient(config as never)).toThrow(TypeError);
    expect(() => createIntentProofClient(config as never)).toThrow(message);
  });

  it.each([
    [{ action: "a" }, /"intent"/],
    [{ intent: " ", action: "a" }, /"intent"/],
    [{ intent: "i" }, /"action"/],
    [{ intent: "i", action: "a", correlationId: "  " }, /"correlationId"/],
    [{ intent: "i", action: "a", captureInput: true }, /"captureInput"/],
    [{ intent: "i", action: "a", maxKeys: 1.5 }, /maxKeys/],
    [{ intent: "i", action: "a", captureStack: true, includeErrorStack: false }, /"captureStack"/],
  ])("wrap(%j) throws a TypeError at wrap time", (options, message) => {
    const { client } = setup();
    expect(() => client.wrap(options as never, () => 1)).toThrow(message);
    expect(() => client.wrap(labels, "nope" as never)).toThrow(TypeError);
  });

  it("configure re-applies given fields, keeps the rest, and changes nothing on a bad field", () => {
    const { client, events } = setup({ defaultAttributes: { env: "test" } });
    const call = client.wrap(labels, () => 1);
    call();
    client.configure({ includeErrorStack: false });
    call();
    client.configure({ defaultAttributes: { env: "prod" } });
    call();
    expect(() => client.configure({ exporters: [null as never] })).toThrow(TypeError);
    call();
    expect(events().map((e) => e.attributes?.env)).toEqual(["test", "test", "prod", "prod"]);
  });

  it("the default client is a singleton and VERSION matches package.json", () => {
    expect(getIntentProofClient()).toBe(defaultClient);
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });

  it("never logs event contents from the default error hook", () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    const client = createIntentProofClient({
      exporters: [
        {
          export: () => {
            throw new Error("down");
          },
        },
      ],
    });
    client.wrap(labels, (_card: string) => 1)("4242-4242-4242-4242");
    expect(spy).toHaveBeenCalledTimes(1);
    expect(String(spy.mock.calls[0]![0])).toContain("down");
    expect(String(spy.mock.calls[0]![0])).not.toContain("4242");
    spy.mockRestore();
  });
});
