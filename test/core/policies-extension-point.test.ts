/**
 * Core alone (the policy layer never loaded, as when a bundler dropped it):
 * `policies` is refused at configuration time with a TypeError naming the fix.
 */
import { describe, expect, it } from "vitest";
import { IntentProofClient } from "../../src/core/client.js";
import { MemoryExporter } from "../../src/exporters/memory.js";

describe("policies without the policy layer", () => {
  it("is a TypeError at configuration time that says how to load the layer", () => {
    expect(() => new IntentProofClient({ policies: [] as never })).toThrow(
      /^intentproof: config: "policies" needs intentproof's policy layer, which is not loaded .*add import "intentproof" to your entry file, or pass a FlowMonitor in "exporters" instead$/,
    );
    const client = new IntentProofClient({ exporters: [new MemoryExporter()] });
    expect(() => client.configure({ policies: [] as never })).toThrow(TypeError);
    expect(client.exporters).toHaveLength(1);
  });

  it("still rejects policyMonitor without policies, and unknown fields near them", () => {
    expect(() => new IntentProofClient({ policyMonitor: { idleMs: 5 } })).toThrow(
      'intentproof: config: "policyMonitor" needs "policies" (the policies the monitor checks flows against)',
    );
    expect(() => new IntentProofClient({ polices: [] } as never)).toThrow('intentproof: config: unknown field "polices" (did you mean "policies"?)');
    expect(() => new IntentProofClient({ policyMonitr: {} } as never)).toThrow('intentproof: config: unknown field "policyMonitr" (did you mean "policyMonitor"?)');
  });
});
