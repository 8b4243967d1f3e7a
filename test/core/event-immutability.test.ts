// Issue 9 item 13: an exporter, or a reader of MemoryExporter.getEvents(), cannot change what another exporter receives.
// The package's own exporters share one event object (they never change it and
// hand user code only copies); any other exporter gets a copy of its own.
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  EvidenceExporter,
  MemoryExporter,
  createIntentProofClient,
  type ExecutionEvent,
  type Exporter,
} from "../../src/index.js";
import { ConsoleExporter } from "../../src/exporters/console.js";
import { tryStartExecution } from "../../src/core/execution.js";
import { prepareWrap } from "../../src/core/wrap-plan.js";
import { CheckedExporter } from "../support/event-validator.js";
import { readAll, tempDir } from "../evidence/support/evidence-fixture.js";

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

  it("a reader of MemoryExporter.getEvents() changes nothing: neither another exporter nor a second read", () => {
    const memory = new MemoryExporter();
    const checked = new CheckedExporter();
    const client = createIntentProofClient({ exporters: [memory, checked] });
    client.wrap(labels, () => ({ status: "paid" }))();
    const read = memory.getEvents()[0] as unknown as { output: { status: string }; status: string };
    read.output.status = "refunded";
    read.status = "error";
    expect(memory.getEvents()[0]).toMatchObject({ status: "ok", output: { status: "paid" } });
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

  it("an event's own attributes (an integration's) are copied for a user exporter, not shared", () => {
    const first: ExecutionEvent[] = [];
    const checked = new CheckedExporter();
    const memory = new MemoryExporter();
    const client = createIntentProofClient({ exporters: [{ export: (event) => void first.push(event) }, memory, checked] });
    const execution = tryStartExecution(client, prepareWrap(labels, "test"), [])!;
    execution.succeed({ sent: true }, { "http.method": "POST", "http.status_code": 201 });
    const mine = first[0]!.attributes as Record<string, unknown>;
    expect(tryWrite(() => (mine["http.status_code"] = 500))).toBe(true);
    expect(tryWrite(() => (mine["http.forged"] = true))).toBe(true);
    expect(checked.getEvents()[0]!.attributes).toStrictEqual({ "http.method": "POST", "http.status_code": 201 });
    // getEvents() hands out copies of the attributes too.
    const read = memory.getEvents()[0]!.attributes as Record<string, unknown>;
    read["http.status_code"] = 0;
    expect(memory.getEvents()[0]!.attributes).toStrictEqual({ "http.method": "POST", "http.status_code": 201 });
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

describe("the package's exporters share the event; user exporters get copies", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("two trusted exporters receive the same object, a user exporter beside them its own copy", () => {
    const received: { who: string; event: ExecutionEvent }[] = [];
    // Spied on the prototype: the instances still run their class's export.
    vi.spyOn(MemoryExporter.prototype, "export").mockImplementation(function (this: MemoryExporter, event) {
      received.push({ who: this === first ? "first" : "second", event });
    });
    const first = new MemoryExporter();
    const second = new MemoryExporter();
    const user: Exporter = { export: (event) => void received.push({ who: "user", event }) };
    const client = createIntentProofClient({ exporters: [first, user, second, new CheckedExporter()] });
    client.wrap(labels, (n: number) => ({ n }))(1);
    expect(received.map((r) => r.who)).toEqual(["first", "user", "second"]);
    const [a, u, b] = received.map((r) => r.event);
    expect(a).toBe(b);
    expect(u).not.toBe(a);
    expect(u).toStrictEqual(a);
    expect(u!.inputs).not.toBe(a!.inputs);
  });

  it("an exporter replaced on the instance (user code) is not trusted: it gets a copy", () => {
    const memory = new MemoryExporter();
    const spied = new MemoryExporter();
    const seen: ExecutionEvent[] = [];
    spied.export = (event) => void seen.push(event);
    const client = createIntentProofClient({ exporters: [memory, spied, new CheckedExporter()] });
    client.wrap(labels, () => ({ ok: true }))();
    (seen[0] as unknown as { output: { ok: boolean } }).output.ok = false;
    expect(memory.getEvents()[0]!.output).toEqual({ ok: true });
  });

  it("a user exporter mutating its event changes nothing for the package's exporters, before or after them", async () => {
    const directory = tempDir();
    const evidence = new EvidenceExporter({ directory, tenantId: "tnt_test" });
    const memory = new MemoryExporter();
    const forge: Exporter = {
      export(event) {
        const e = event as unknown as Record<string, any>;
        e.intent = "forged";
        e.inputs[0].amount = 0;
        e.output.refunded = 0;
      },
    };
    const client = createIntentProofClient({ exporters: [new CheckedExporter(), forge, memory, evidence, { ...forge }] });
    await client.withCorrelation("order-1", () => client.wrap(labels, (input: { amount: number }) => ({ refunded: input.amount }))({ amount: 5 }));
    await client.shutdown();
    expect(memory.getEvents()[0]).toMatchObject({ intent: labels.intent, inputs: { 0: { amount: 5 } }, output: { refunded: 5 } });
    const { events } = await readAll(directory);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ intent: labels.intent, inputs: { 0: { amount: 5 } }, output: { refunded: 5 } });
  });

  it("mutating a getEvents() result changes neither the EvidenceExporter's sealed record nor a second getEvents()", async () => {
    const directory = tempDir();
    const evidence = new EvidenceExporter({ directory, tenantId: "tnt_test" });
    const memory = new MemoryExporter();
    const client = createIntentProofClient({ exporters: [memory, evidence, new CheckedExporter()] });
    await client.withCorrelation("order-1", () => client.wrap(labels, (input: { amount: number }) => ({ refunded: input.amount }))({ amount: 5 }));
    // Before the exporter seals (it seals on a later turn of the event loop).
    expect(evidence.stats().sealed).toBe(0);
    const read = memory.getEvents()[0] as unknown as Record<string, any>;
    read.intent = "forged";
    read.inputs[0].amount = 0;
    read.output.refunded = 0;
    delete read.correlationId;
    await client.shutdown();
    expect(memory.getEvents()[0]).toMatchObject({ intent: labels.intent, correlationId: "order-1", inputs: { 0: { amount: 5 } }, output: { refunded: 5 } });
    const { events } = await readAll(directory);
    expect(events[0]).toMatchObject({ intent: labels.intent, correlation_id: "order-1", inputs: { 0: { amount: 5 } }, output: { refunded: 5 } });
  });

  it("hooks handed the event by a trusted exporter get a copy: onExporterError, EvidenceExporter onError", async () => {
    vi.spyOn(ConsoleExporter.prototype, "export").mockImplementation(() => {
      throw new Error("stdout closed");
    });
    const memory = new MemoryExporter();
    const forge = (_error: unknown, event: ExecutionEvent | undefined) => {
      if (event !== undefined) (event as unknown as { output: { n: number } }).output.n = 0;
    };
    const evidence = new EvidenceExporter({ directory: tempDir(), tenantId: "tnt_test", onError: forge });
    await evidence.shutdown(); // refuses what comes next, reporting each event to onError
    const client = createIntentProofClient({ exporters: [new ConsoleExporter(), memory, evidence, new CheckedExporter()], onExporterError: forge });
    client.wrap(labels, (n: number) => ({ n }))(7);
    expect(memory.getEvents()[0]!.output).toEqual({ n: 7 });
    expect(evidence.stats().dropped).toBe(1);
  });
});
