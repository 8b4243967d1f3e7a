import { describe, expect, it } from "vitest";
import { createIntentProofClient } from "../../src/core/default-client.js";
import type { ExecutionEvent } from "../../src/core/types.js";
import { GENESIS_PREV_HASH } from "../../src/evidence/event-hash.js";
import { ARRAY_OUTPUT_KEY, SDK_VERSION, toUnsignedRecord, UNCORRELATED, recordCorrelationId } from "../../src/evidence/map-event.js";
import { CheckedExporter } from "../support/event-validator.js";
import { expectValidV1Records } from "./support/v1-schema.js";

const SIGNATURE = { alg: "ed25519" as const, key_id: "inst_t:k1", value: "A".repeat(86) + "==" };

function link(event: ExecutionEvent) {
  return { tenantId: "tnt_t", instanceId: "inst_t", correlationId: recordCorrelationId(event), chainPosition: 1, prevEventHash: GENESIS_PREV_HASH };
}

async function record(run: (client: ReturnType<typeof createIntentProofClient>) => unknown, config: object = {}) {
  const checked = new CheckedExporter();
  const client = createIntentProofClient({ exporters: [checked], ...config });
  try {
    await run(client);
  } catch {
    // the wrapped call's own error is part of what is recorded
  }
  const events = checked.getEvents();
  expect(events.length).toBe(1);
  const event = events[0] as ExecutionEvent;
  const unsigned = toUnsignedRecord(event, link(event));
  expectValidV1Records([{ ...unsigned, signature: SIGNATURE }]);
  return { event, unsigned };
}

describe("ExecutionEvent → intentproof.event.v1", () => {
  it("builds the record with its members in canonical order, with and without the optional ones", async () => {
    const ok = await record((c) => c.wrap({ intent: "I", action: "a.ok" }, () => [1])());
    const failed = await record((c) => c.wrap({ intent: "I", action: "a.fail", captureError: () => ({ why: 1 }) }, () => { throw new Error("no"); })());
    const redacted = await record((c) => c.wrap({ intent: "I", action: "a.redact" }, (_: object) => 1)({ password: "x" }), { serialization: { redactKeys: ["password"] } });
    for (const { unsigned } of [ok, failed, redacted]) {
      const keys = Object.keys(unsigned);
      expect(keys).toEqual([...keys].sort());
    }
    expect(Object.keys(ok.unsigned)).toContain("output");
    expect(Object.keys(redacted.unsigned)).toContain("redaction_summary");
  });

  it("maps fields to snake_case, id to event_id, and fills the fixed fields", async () => {
    const { event, unsigned } = await record((c) =>
      c.withCorrelation("req-1", () => c.wrap({ intent: "Refund", action: "refunds.create", attributes: { service: "billing" } }, (a: number) => a * 2)(21)),
    );
    expect(unsigned).toMatchObject({
      schema: "intentproof.event.v1",
      event_id: event.id,
      tenant_id: "tnt_t",
      instance_id: "inst_t",
      correlation_id: "req-1",
      provenance_class: "sdk_attested_evidence",
      intent: "Refund",
      action: "refunds.create",
      status: "ok",
      started_at: event.startedAt,
      completed_at: event.completedAt,
      output: 42,
      error: null,
      attributes: { service: "billing" },
      untrusted_payload: true,
      spec_version: "1.0.0",
      sdk_version: SDK_VERSION,
    });
    expect(Number.isInteger(unsigned.duration_ms)).toBe(true);
    expect(unsigned.inputs).toEqual(event.inputs);
    expect(unsigned.redaction_summary).toBeUndefined();
  });

  it("wraps an array output in a documented object instead of emitting it invalid", async () => {
    const { unsigned } = await record((c) => c.wrap({ intent: "List", action: "items.list" }, () => [1, { a: 2 }])());
    expect(unsigned.output).toEqual({ [ARRAY_OUTPUT_KEY]: [1, { a: 2 }] });
  });

  it("leaves out null attributes and moves an invalid reserved attribute under user.", () => {
    const event: ExecutionEvent = {
      id: "e1", intent: "i", action: "a", inputs: {}, status: "ok", startedAt: "2026-01-01T00:00:00.000Z",
      completedAt: "2026-01-01T00:00:00.001Z", durationMs: 0.6,
      attributes: { keep: 1, gone: null, "intentproof.delegation.depth": 99, "intentproof.delegation.parent_agent_id": "agent-7", "intentproof.delegation.other": "x" },
    };
    const unsigned = toUnsignedRecord(event, link(event));
    expect(unsigned.attributes).toEqual({
      keep: 1,
      "user.intentproof.delegation.depth": 99,
      "intentproof.delegation.parent_agent_id": "agent-7",
      "user.intentproof.delegation.other": "x",
    });
    expect(unsigned.duration_ms).toBe(1);
    expect(unsigned.correlation_id).toBe(UNCORRELATED);
    expect(unsigned.untrusted_payload).toBe(false);
    expectValidV1Records([{ ...unsigned, signature: SIGNATURE }]);
  });

  it("falls back to a documented correlation id when there is none", async () => {
    const { unsigned } = await record((c) => c.wrap({ intent: "Tick", action: "cron.tick" }, () => "done")(), {
      correlation: { generateOnMissing: false },
    });
    expect(unsigned.correlation_id).toBe(UNCORRELATED);
  });

  it("reports what redactKeys withheld: rule, count and paths", async () => {
    const { unsigned } = await record(
      (c) => c.wrap({ intent: "Pay", action: "card.charge", redactKeys: ["cvc", "token"] }, (card: object) => ({ token: "t", ok: true }))({ number: "4242", cvc: "123", nested: [{ cvc: "9" }] }),
    );
    expect(unsigned.redaction_summary).toEqual({
      rules_applied: ["redactKeys"],
      fields_redacted_count: 3,
      fields_redacted_paths: ["inputs.0.cvc", "inputs.0.nested[0].cvc", "output.token"],
    });
    expect(unsigned.untrusted_payload).toBe(true);
  });

  it("marks a fully redacted or empty payload as trusted", () => {
    const event: ExecutionEvent = {
      id: "e2", correlationId: "c", intent: "i", action: "a", inputs: { secret: "[REDACTED]" }, output: null, status: "ok",
      startedAt: "2026-01-01T00:00:00.000Z", completedAt: "2026-01-01T00:00:00.000Z", durationMs: 0,
    };
    const unsigned = toUnsignedRecord(event, link(event));
    expect(unsigned.untrusted_payload).toBe(false);
    expect(unsigned.redaction_summary?.fields_redacted_count).toBe(1);
  });

  it("keeps cycles and bigints in their serializer form and error events valid", async () => {
    const cyclic: Record<string, unknown> = { n: 10n };
    cyclic.self = cyclic;
    const { unsigned } = await record((c) =>
      c.wrap({ intent: "Boom", action: "x.fail" }, (_v: unknown) => {
        throw Object.assign(new Error("nope"), { code: "E_NOPE" });
      })(cyclic),
    );
    expect(unsigned.status).toBe("error");
    expect(unsigned.error).toMatchObject({ name: "Error", message: "nope", code: "E_NOPE" });
    expect(JSON.stringify(unsigned.inputs)).toContain("[Circular]");
  });
});
