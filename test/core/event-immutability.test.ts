// Issue 9 item 13: an exporter, or a reader of MemoryExporter.getEvents(), cannot change what another exporter receives.
import { describe, expect, it } from "vitest";
import { MemoryExporter, createIntentProofClient, type ExecutionEvent, type Exporter } from "../../src/index.js";
import { CheckedExporter } from "../support/event-validator.js";

const labels = { intent: "Keep the record", action: "record.keep" };

function tryWrite(write: () => void): boolean {
  try {
    write();
    return true;
  } catch {
    return false;
  }
}

describe("each exporter holds its own event", () => {
  it("a mutating exporter changes nothing that a later exporter receives, at any depth", () => {
    const seen: ExecutionEvent[] = [];
    const mutating: Exporter = {
      export(event) {
        const e = event as unknown as Record<string, any>;
        tryWrite(() => (e.intent = "forged"));
        tryWrite(() => (e.inputs[0].order.items[0] = "forged"));
        tryWrite(() => (e.inputs.extra = 1));
        tryWrite(() => (e.output.total = 0));
        tryWrite(() => (e.error = { name: "Forged", message: "x" }));
        tryWrite(() => delete e.durationMs);
        seen.push(event);
      },
    };
    const checked = new CheckedExporter();
    const client = createIntentProofClient({ exporters: [mutating, checked], onExporterError: () => {} });
    client.wrap(labels, (input: { order: { items: string[] } }) => ({ total: input.order.items.length }))({
      order: { items: ["a", "b"] },
    });
    const [event] = checked.getEvents();
    expect(event).toMatchObject({ intent: labels.intent, inputs: { 0: { order: { items: ["a", "b"] } } }, output: { total: 2 } });
    expect(Object.keys(event!.inputs)).toEqual(["0"]);
    expect(event!.error).toBeUndefined();
    expect(typeof event!.durationMs).toBe("number");
    // The mutating exporter changed only its own object.
    expect(seen[0]).not.toBe(event);
    expect(seen[0]!.intent).toBe("forged");
  });

  it("a reader of MemoryExporter.getEvents() cannot change what another exporter holds", () => {
    const memory = new MemoryExporter();
    const checked = new CheckedExporter();
    const client = createIntentProofClient({ exporters: [memory, checked] });
    client.wrap(labels, () => ({ status: "paid" }))();
    const read = memory.getEvents()[0] as unknown as { output: { status: string }; status: string };
    read.output.status = "refunded";
    read.status = "error";
    expect(memory.getEvents()[0]).toMatchObject({ status: "error", output: { status: "refunded" } });
    expect(checked.getEvents()[0]).toMatchObject({ status: "ok", output: { status: "paid" } });
  });

  it("error events are copied with their cause, and frozen attributes are shared safely", () => {
    const first: ExecutionEvent[] = [];
    const checked = new CheckedExporter();
    const client = createIntentProofClient({
      exporters: [{ export: (event) => void first.push(event) }, checked],
      defaultAttributes: { env: "test" },
    });
    const failing = client.wrap({ ...labels, captureError: () => ({ retry: true }) }, () => {
      throw new Error("outer", { cause: new Error("inner") });
    });
    expect(() => failing()).toThrow("outer");
    const mine = first[0] as unknown as { error: { message: string; cause: { message: string } }; output: { retry: boolean } };
    mine.error.message = "forged";
    mine.error.cause.message = "forged";
    mine.output.retry = false;
    expect(tryWrite(() => ((first[0]!.attributes as { env: string }).env = "prod"))).toBe(false);
    const [event] = checked.getEvents();
    expect(event!.error).toMatchObject({ message: "outer", cause: { message: "inner" } });
    expect(event!.output).toEqual({ retry: true });
    expect(event!.attributes).toEqual({ env: "test" });
  });

  it("records copies: the caller changing its values afterwards changes no record", () => {
    const checked = new CheckedExporter();
    const client = createIntentProofClient({ exporters: [checked] });
    const input = { n: 1 };
    const output = { m: 2 };
    client.wrap(labels, (_input: { n: number }) => output)(input);
    input.n = 10;
    output.m = 20;
    expect(checked.getEvents()[0]).toMatchObject({ inputs: { 0: { n: 1 } }, output: { m: 2 } });
  });
});
