// Issue 11 item 2: client config, wrap options and defaultWrapOptions through the one toolkit.
import { describe, expect, it } from "vitest";
import { assertWrapOptionsShape, createIntentProofClient, IntentProofClient, snapshot } from "../../src/index.js";
import { resolveConfig } from "../../src/core/config.js";
import { prepareWrap } from "../../src/core/wrap-plan.js";
import { CheckedExporter } from "../support/event-validator.js";

const labels = { intent: "Validate", action: "options.validate" };

describe("unknown fields are rejected with the nearest known one", () => {
  it("in wrap options", () => {
    const client = createIntentProofClient({ exporters: [new CheckedExporter()] });
    expect(() => client.wrap({ ...labels, captureOuput: false } as never, () => 1)).toThrow(
      new TypeError('intentproof: wrap options: unknown field "captureOuput" (did you mean "captureOutput"?)'),
    );
    expect(() => assertWrapOptionsShape({ ...labels, redactKey: ["x"] })).toThrow(/did you mean "redactKeys"/);
    expect(() => client.wrap({ ...labels, somethingElse: 1 } as never, () => 1)).toThrow(/unknown field "somethingElse"$/);
  });

  it("in defaultWrapOptions, where a pinned correlationId is not a known field", () => {
    expect(() => createIntentProofClient({ defaultWrapOptions: { captureInput: 1 } as never })).toThrow(
      /intentproof: config\.defaultWrapOptions: "captureInput" must be a function, got 1/,
    );
    expect(() => createIntentProofClient({ defaultWrapOptions: { includeErrorStak: false } as never })).toThrow(
      /unknown field "includeErrorStak" \(did you mean "includeErrorStack"\?\)/,
    );
    expect(() => createIntentProofClient({ defaultWrapOptions: { correlationId: "x" } as never })).toThrow(
      /unknown field "correlationId"/,
    );
  });

  it("in the client config and its nested objects", () => {
    expect(() => createIntentProofClient({ exporterTimeOutMs: 5 } as never)).toThrow(
      /intentproof: config: unknown field "exporterTimeOutMs" \(did you mean "exporterTimeoutMs"\?\)/,
    );
    expect(() => createIntentProofClient({ correlation: { headername: "x-id" } } as never)).toThrow(
      /unknown field "correlation\.headername" \(did you mean "correlation\.headerName"\?\)/,
    );
  });
});

describe("owners name who validates", () => {
  it("resolveConfig names the caller's owner, so an integration needs no message rewriting", () => {
    expect(() => resolveConfig({ exporters: [{}] } as never, undefined, () => [], "IntentProofModule.forRoot")).toThrow(
      /^IntentProofModule\.forRoot: "exporters\[0\]" has no export\(\) method/,
    );
    expect(() => resolveConfig({ exporterTimeoutMs: -1 }, undefined, () => [], "IntentProofModule.forRoot")).toThrow(
      /^IntentProofModule\.forRoot: "exporterTimeoutMs" must be/,
    );
    expect(() =>
      resolveConfig({ defaultWrapOptions: { captureOutput: "x" } } as never, undefined, () => [], "IntentProofModule.forRoot"),
    ).toThrow(/^IntentProofModule\.forRoot\.defaultWrapOptions: "captureOutput" must be a boolean or a function/);
  });

  it("prepareWrap names the caller's owner", () => {
    expect(() => prepareWrap({ intent: "i" }, "@IntentProof()")).toThrow(/^@IntentProof\(\): "action" is required/);
    expect(() => prepareWrap({ ...labels, capturInputs: true }, "recordRoute")).toThrow(
      /^recordRoute: unknown field "capturInputs" \(did you mean "captureInputs"\?\)/,
    );
  });

  it("keeps a configuration unchanged when configure() rejects a field", () => {
    const checked = new CheckedExporter();
    const client = createIntentProofClient({ exporters: [checked], exporterTimeoutMs: 1234 });
    const before = client.config;
    expect(() => client.configure({ exporterTimeoutMs: 2 ** 31 })).toThrow(TypeError);
    expect(client.config).toBe(before);
  });
});

/** The error `fn` throws, asserted to be a TypeError itself (not a subclass). */
function typeErrorOf(fn: () => unknown): TypeError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect((thrown as Error | undefined)?.constructor).toBe(TypeError);
  return thrown as TypeError;
}

describe("null is not \"no options\"", () => {
  it("the client config: new IntentProofClient(null), createIntentProofClient(null), configure(null)", () => {
    const client = createIntentProofClient({ exporters: [new CheckedExporter()] });
    const before = client.config;
    for (const construct of [
      () => new IntentProofClient(null as never),
      () => createIntentProofClient(null as never),
      () => client.configure(null as never),
    ]) {
      expect(typeErrorOf(construct).message).toBe("intentproof: config: expected an object, got null");
    }
    expect(client.config).toBe(before);
    // No config stays valid.
    expect(new IntentProofClient(undefined).exporters).toHaveLength(1);
    expect(createIntentProofClient().exporters).toHaveLength(1);
  });

  it.each(["correlation", "serialization", "defaultWrapOptions", "policyMonitor"])("a nested %s set to null", (field) => {
    expect(typeErrorOf(() => createIntentProofClient({ [field]: null } as never)).message).toBe(
      `intentproof: config: "${field}" must be an object, got null`,
    );
    expect(typeErrorOf(() => resolveConfig({ [field]: null } as never, undefined, () => [], "IntentProofModule.forRoot")).message).toBe(
      `IntentProofModule.forRoot: "${field}" must be an object, got null`,
    );
    // undefined is still "not set".
    expect(() => createIntentProofClient({ [field]: undefined } as never)).not.toThrow();
  });

  it("wrap options and snapshot options", () => {
    const client = createIntentProofClient({ exporters: [new CheckedExporter()] });
    expect(typeErrorOf(() => client.wrap(null as never, () => 1)).message).toBe(
      'intentproof: wrap options: options must be an object with "intent" and "action", got null',
    );
    expect(typeErrorOf(() => assertWrapOptionsShape(null)).message).toMatch(/^intentproof: wrap options: .*got null$/);
    expect(typeErrorOf(() => snapshot({ a: 1 }, null as never)).message).toBe("snapshot: options must be an object, got null");
    expect(snapshot({ a: 1 }, undefined)).toEqual({ a: 1 });
  });
});
