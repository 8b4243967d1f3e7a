import { describe, expect, it } from "vitest";
import { eventHash, GENESIS_PREV_HASH } from "../../src/evidence/event-hash.js";
import { evidenceClient, readAll, tempDir } from "./support/evidence-fixture.js";

describe("EvidenceExporter", () => {
  it("writes one signed, schema-valid v1 record per event, linked to the ExecutionEvent by id", async () => {
    const directory = tempDir();
    const { client, evidence, checked, errors } = evidenceClient({ directory });
    const refund = client.wrap({ intent: "Refund", action: "refunds.create" }, async (amount: number) => ({ refunded: amount }));
    await client.withCorrelation("order-1", () => refund(10));
    await client.withCorrelation("order-2", () => refund(20));
    await client.flush();
    const { events } = await readAll(directory);
    expect(events.map((e) => e.event_id).sort()).toEqual(checked.getEvents().map((e) => e.id).sort());
    for (const record of events) {
      expect(record.chain_position).toBe(1);
      expect(record.prev_event_hash).toBe(GENESIS_PREV_HASH);
      expect(record.signature.key_id).toBe(`${(await evidence.ready()).instanceId}:k1`);
    }
    await client.shutdown();
    expect(errors).toEqual([]);
  });

  it("chains 1,000 parallel calls of one correlation into one unbroken chain 1..1000", async () => {
    const directory = tempDir();
    const { client, errors } = evidenceClient({ directory });
    const step = client.wrap({ intent: "Step", action: "work.step" }, async (i: number) => {
      await new Promise((resolve) => setTimeout(resolve, i % 7));
      return i;
    });
    await client.withCorrelation("batch-1", () => Promise.all(Array.from({ length: 1000 }, (_, i) => step(i))));
    await client.shutdown();
    const { events } = await readAll(directory);
    expect(events.length).toBe(1000);
    expect(events.map((e) => e.chain_position)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    for (let i = 1; i < events.length; i++) expect(events[i]!.prev_event_hash).toBe(eventHash(events[i - 1]!));
    expect(errors).toEqual([]);
  });
});
