import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exportPublicKeys } from "../../src/evidence/public-keys.js";
import { eventHash, GENESIS_PREV_HASH } from "../../src/evidence/event-hash.js";
import { evidenceClient, readAll, tempDir } from "./support/evidence-fixture.js";
import { verify } from "./support/tamper.js";

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

describe("EvidenceExporter segments and restarts", () => {
  it("rotates segments by size, resumes the same instance after a clean restart, and the log verifies across segments", async () => {
    const directory = tempDir();
    const first = evidenceClient({ directory, maxSegmentBytes: 4096, checkpointEvery: 9 });
    const call = first.client.wrap({ intent: "Pay", action: "pay" }, (n: number) => ({ n, note: "y".repeat(300) }));
    for (let i = 0; i < 40; i++) first.client.withCorrelation(`c${i % 4}`, () => call(i));
    await first.client.shutdown();
    const { instanceId } = await first.evidence.ready();
    const second = evidenceClient({ directory, maxSegmentBytes: 4096, checkpointEvery: 9 });
    expect((await second.evidence.ready()).instanceId).toBe(instanceId);
    const call2 = second.client.wrap({ intent: "Pay", action: "pay" }, (n: number) => ({ n, note: "y".repeat(300) }));
    for (let i = 40; i < 60; i++) second.client.withCorrelation(`c${i % 4}`, () => call2(i));
    await second.client.shutdown();
    expect([...first.errors, ...second.errors]).toEqual([]);

    const segments = readdirSync(join(directory, instanceId)).filter((n) => /^events-\d{6}\.jsonl$/.test(n));
    expect(segments.length).toBeGreaterThan(5);
    const { events, entries } = await readAll(directory);
    expect(events.length).toBe(60);
    for (let c = 0; c < 4; c++) expect(events.filter((e) => e.correlation_id === `c${c}`).map((e) => e.chain_position)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    const checkpoints = entries.flatMap((e) => (e.kind === "checkpoint" ? [e.record] : []));
    expect(checkpoints.map((c) => c.sequence)).toEqual(checkpoints.map((_, i) => i + 1));
    expect(checkpoints.at(-1)?.log_size).toBe(60);
    const keysFile = join(tempDir(), "keys.json");
    writeFileSync(keysFile, JSON.stringify(await exportPublicKeys(directory)));
    expect((await verify(directory, keysFile)).report).toMatchObject({ status: "pass", events: 60, chains: 4 });
  });
});
