// Issue 11 item 3: the spec's intentproof_config.v1 document, and exporters in the spec's onEvent form.
import { readFileSync } from "node:fs";
import * as Ajv2020Module from "ajv/dist/2020.js";
import * as addFormatsModule from "ajv-formats";
import type { ValidateFunction } from "ajv/dist/2020.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { HttpExporter, IntentProofClient, type ExecutionEvent } from "../../src/index.js";
import { startCollector, type Collector } from "../support/collector.js";
import { CheckedExporter, expectValidEvent } from "../support/event-validator.js";

function unwrapDefault<T>(mod: unknown): T {
  let current: unknown = mod;
  for (let i = 0; i < 3 && typeof current !== "function"; i++) current = (current as { default?: unknown }).default ?? current;
  return current as T;
}
type AjvInstance = { addSchema(schema: object): void; compile(schema: object): ValidateFunction };
const Ajv2020 = unwrapDefault<new (options: object) => AjvInstance>(Ajv2020Module);
const addFormats = unwrapDefault<(ajv: AjvInstance) => void>(addFormatsModule);
const readSchema = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../spec/schema/${name}`, import.meta.url), "utf8")) as object;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(readSchema("wrap_options.v1.schema.json"));
const schemaAccepts = ajv.compile(readSchema("intentproof_config.v1.schema.json"));

const labels = { intent: "Configure from a document", action: "config.document" };

let collector: Collector | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await collector?.close();
  collector = undefined;
});

describe("intentproof_config.v1 documents", () => {
  it("configures exporters, defaults, correlation and serialization from a schema-valid JSON document", async () => {
    collector = await startCollector();
    const stdout: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: unknown) => {
      stdout.push(String(chunk));
      return true;
    });
    const document = JSON.parse(
      JSON.stringify({
        version: 1,
        defaultWrapOptions: { captureInputs: false, captureStack: false, attributes: { team: "payments" } },
        exporters: [
          { type: "http", endpoint: collector.url, headers: { authorization: "Bearer t0k3n" }, failOpen: true },
          { type: "console" },
        ],
        correlation: { headerName: "X-Request-Id", generateOnMissing: true },
        serialization: { maxDepth: 4, maxStringLength: 8, redactKeys: ["password"] },
      }),
    );
    expect(schemaAccepts(document), JSON.stringify(schemaAccepts.errors)).toBe(true);

    const client = new IntentProofClient(document);
    expect(client.exporters[0]).toBeInstanceOf(HttpExporter);
    expect(client.config.headerName).toBe("x-request-id");
    const result = client.wrap(labels, (secret: string) => ({ password: secret, note: "a long note" }))("hunter2");
    expect(result).toEqual({ password: "hunter2", note: "a long note" });

    const [received] = await collector.waitForEvents(1);
    expectValidEvent(received!);
    expect(received).toMatchObject({ inputs: {}, attributes: { team: "payments" }, output: { password: "[REDACTED]" } });
    expect((received!.output as { note: string }).note.startsWith("a long n")).toBe(true);
    expect(collector.received[0]!.headers.authorization).toBe("Bearer t0k3n");
    const line = stdout.find((chunk) => chunk.includes('"config.document"'));
    expect(line).toBeDefined();
    expect(JSON.parse(line!).id).toBe(received!.id);
    await client.shutdown();
  });

  it("is also accepted by configure(), keeping what the document leaves out", () => {
    const checked = new CheckedExporter();
    const client = new IntentProofClient({ exporters: [checked], defaultAttributes: { env: "test" } });
    client.configure({ version: 1, correlation: { generateOnMissing: false } });
    client.wrap(labels, () => 1)();
    const [event] = checked.getEvents();
    expect(event!.correlationId).toBeUndefined();
    expect(event!.attributes).toEqual({ env: "test" });
  });

  it('takes a "custom" exporter object inline (in-code documents)', () => {
    const checked = new CheckedExporter();
    const client = new IntentProofClient({ version: 1, exporters: [{ type: "custom", exporter: checked }] });
    client.wrap(labels, () => 1)();
    expect(checked.getEvents()).toHaveLength(1);
  });

  const rejected: Array<[string, unknown, RegExp, boolean]> = [
    ["version 2", { version: 2 }, /"version" must be 1/, false],
    ["an unknown top-level field", { version: 1, exporter: [] }, /unknown field "exporter" \(did you mean "exporters"\?\)/, false],
    ["an unknown exporter type", { version: 1, exporters: [{ type: "kafka" }] }, /"exporters\[0\]\.type" must be/, false],
    ["a misspelt exporter field", { version: 1, exporters: [{ type: "http", endpiont: "http://127.0.0.1:1" }] }, /unknown field "exporters\[0\]\.endpiont" \(did you mean "exporters\[0\]\.endpoint"\?\)/, true],
    ["an http exporter without endpoint", { version: 1, exporters: [{ type: "http" }] }, /"exporters\[0\]\.endpoint" is required/, true],
    ["an http exporter with a bad endpoint", { version: 1, exporters: [{ type: "http", endpoint: "ftp://x" }] }, /"exporters\[0\]" is not a valid http exporter .*"endpoint"/, true],
    ["non-string headers", { version: 1, exporters: [{ type: "http", endpoint: "http://127.0.0.1:1", headers: { a: 1 } }] }, /"exporters\[0\]\.headers\.a" must be a string/, false],
    ["an otel exporter (needs a dependency)", { version: 1, exporters: [{ type: "otel" }] }, /"exporters\[0\]\.type" is not supported/, true],
    ["a hook in defaultWrapOptions", { version: 1, defaultWrapOptions: { captureOutput: "yes" } }, /"defaultWrapOptions\.captureOutput" must be a boolean/, false],
    ["a field wrap_options.v1 does not have", { version: 1, defaultWrapOptions: { redactKeys: [] } }, /unknown field "defaultWrapOptions\.redactKeys"/, false],
    ["serialization limits the schema does not have", { version: 1, serialization: { maxKeys: 5 } }, /unknown field "serialization\.maxKeys"/, false],
    ["a bad serialization limit", { version: 1, serialization: { maxDepth: 0 } }, /maxDepth/, false],
    ["an unknown correlation field", { version: 1, correlation: { header: "x" } }, /unknown field "correlation\.header"/, false],
  ];
  it.each(rejected)("rejects %s with a TypeError naming the field", (_label, document, message, schemaValid) => {
    // Documents the schema rejects are rejected here too; a few the schema leaves to the SDK are rejected as well.
    expect(schemaAccepts(document)).toBe(schemaValid);
    expect(() => new IntentProofClient(document as never)).toThrow(TypeError);
    expect(() => new IntentProofClient(document as never)).toThrow(message);
  });
});

describe("the spec's wrap goldens, with options from a document", () => {
  interface WrapCase {
    caseId: string;
    effectiveOptions?: Record<string, unknown>;
    call?: { args: unknown[]; throws: boolean; return?: unknown; error?: { name: string; message: string } };
    expect: Record<string, unknown>;
  }
  const cases = readFileSync(new URL("../../spec/golden/wrap_behavior_cases.jsonl", import.meta.url), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as WrapCase)
    .filter((golden) => golden.call !== undefined);

  it("has call cases to drive", () => {
    expect(cases.length).toBeGreaterThanOrEqual(4);
  });

  it.each(cases.map((golden) => [golden.caseId, golden] as const))("%s", (_id, golden) => {
    const checked = new CheckedExporter();
    const document = { version: 1, defaultWrapOptions: golden.effectiveOptions ?? {}, exporters: [{ type: "custom", exporter: checked }] };
    expect(schemaAccepts({ ...document, exporters: [{ type: "custom" }] }), JSON.stringify(schemaAccepts.errors)).toBe(true);
    const client = new IntentProofClient(document as never);
    const intent = (golden.effectiveOptions?.intent as string | undefined) ?? `Golden ${golden.caseId}`;
    const action = (golden.effectiveOptions?.action as string | undefined) ?? `golden.${golden.caseId}`;
    const call = golden.call!;
    const wrapped = client.wrap({ intent, action }, (..._args: unknown[]) => {
      if (call.throws) throw Object.assign(new Error(call.error!.message), { name: call.error!.name });
      return structuredClone(call.return);
    });
    if (call.throws) expect(() => wrapped(...call.args)).toThrow(call.error!.message);
    else expect(wrapped(...call.args)).toEqual(call.return);
    const [event] = checked.getEvents() as ExecutionEvent[];
    expect(event!.status).toBe(golden.expect.status);
    expect(event!.inputs).toEqual(golden.expect.inputs);
    if ("output" in golden.expect) expect(event!.output).toEqual(golden.expect.output);
    expect("error" in event!).toBe(golden.expect.hasError);
    if (golden.expect.error) expect(event!.error).toMatchObject(golden.expect.error as object);
  });
});

describe("exporters in the spec's onEvent form", () => {
  it("receive every event; a rejected promise is reported and waited for by flush()", async () => {
    const seen: string[] = [];
    const failures: unknown[] = [];
    const checked = new CheckedExporter();
    const client = new IntentProofClient({
      exporters: [
        { onEvent: (event: ExecutionEvent) => void seen.push(event.action) },
        { onEvent: async () => Promise.reject(new Error("collector down")) },
        checked,
      ],
      onExporterError: (error) => failures.push(error),
    });
    client.wrap(labels, () => 1)();
    await client.flush();
    expect(seen).toEqual([labels.action]);
    expect(checked.getEvents()).toHaveLength(1);
    expect(failures).toEqual([new Error("collector down")]);
  });

  it("an object with neither export() nor onEvent() is rejected", () => {
    expect(() => new IntentProofClient({ exporters: [{ flush() {} } as never] })).toThrow(
      /"exporters\[0\]" has no export\(\) method \(nor the spec's onEvent\(\)\)/,
    );
  });
});
