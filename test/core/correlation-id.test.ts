// Issue 9 item 11: ids set in code follow the header rule (printable ASCII, 1..128 after trimming).
import { describe, expect, it } from "vitest";
import { createIntentProofClient, getCorrelationId, runWithCorrelationId } from "../../src/index.js";
import { CheckedExporter } from "../support/event-validator.js";

const labels = { intent: "Correlate", action: "correlation.check" };

const rejected: Array<[string, string]> = [
  ["129 characters", "a".repeat(129)],
  ["a control character", "abc\u0000def"],
  ["a newline inside", "abc\ndef"],
  ["a non-ASCII letter", "caf\u00e9"],
  ["an emoji", "id-\u{1F600}"],
  ["DEL", "abc\u007f"],
  ["129 characters inside whitespace", `  ${"b".repeat(129)}  `],
];

describe("correlation ids set in code", () => {
  it.each(rejected)("runWithCorrelationId rejects %s with a TypeError", (_label, id) => {
    expect(() => runWithCorrelationId(id, () => 1)).toThrow(TypeError);
    expect(() => runWithCorrelationId(id, () => 1)).toThrow(/correlationId/);
  });

  it.each(rejected)("withCorrelation rejects %s with a TypeError", (_label, id) => {
    const client = createIntentProofClient({ exporters: [new CheckedExporter()] });
    expect(() => client.withCorrelation(id, () => 1)).toThrow(TypeError);
  });

  it.each(rejected)("wrap({ correlationId }) rejects %s at wrap time", (_label, id) => {
    const client = createIntentProofClient({ exporters: [new CheckedExporter()] });
    expect(() => client.wrap({ ...labels, correlationId: id }, () => 1)).toThrow(/"correlationId"/);
  });

  it("accepts 128 printable characters after trimming ASCII whitespace, and uses the trimmed id", () => {
    const checked = new CheckedExporter();
    const client = createIntentProofClient({ exporters: [checked] });
    const id = `${"~".repeat(64)}${"Z".repeat(64)}`;
    expect(runWithCorrelationId(`\t ${id} \n`, () => getCorrelationId())).toBe(id);
    expect(client.withCorrelation(` ${id} `, () => getCorrelationId())).toBe(id);
    client.wrap({ ...labels, correlationId: ` ${id}\r\n` }, () => 1)();
    expect(checked.getEvents()[0]!.correlationId).toBe(id);
  });

  it("keeps a blank withCorrelation id meaning a fresh UUID, and a blank runWithCorrelationId id an error", () => {
    const client = createIntentProofClient({ exporters: [new CheckedExporter()] });
    expect(client.withCorrelation("   ", () => getCorrelationId())).toMatch(/^[0-9a-f-]{36}$/);
    expect(() => runWithCorrelationId("   ", () => 1)).toThrow(TypeError);
  });
});
