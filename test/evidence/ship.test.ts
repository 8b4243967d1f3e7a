/** At-least-once delivery from the log to a local ingest that verifies signatures and chains. */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { EvidenceError } from "../../src/evidence/errors.js";
import { exportPublicKeys } from "../../src/evidence/public-keys.js";
import { SHIP_CURSOR_FILE } from "../../src/evidence/shipper.js";
import { evidenceClient, readAll, tempDir } from "./support/evidence-fixture.js";
import { startVerifyingCollector, type VerifyingCollector } from "./support/verifying-collector.js";

let collector: VerifyingCollector | undefined;
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("EvidenceExporter ship", () => {
  it("delivers every event in chain order through outages, unknown keys and a restart; resent duplicates are harmless", async () => {
    collector = await startVerifyingCollector();
    const c = collector;
    const directory = tempDir();
    const ship = { url: c.url, retryBaseMs: 5, retryMaxMs: 50, headers: { authorization: "Bearer test-token" } };
    const first = evidenceClient({ directory, instanceId: "inst_ship", ship });
    const pay = first.client.wrap({ intent: "Pay", action: "pay" }, (n: number) => n);

    // The ingest does not know the key yet: 401s are retried, not skipped.
    for (let i = 0; i < 30; i++) first.client.withCorrelation(`order-${i % 3}`, () => pay(i));
    await first.client.flush();
    await until(() => c.answers.filter((s) => s === 401).length >= 2, "401 answers");
    c.failNext(4);
    c.setKeys(await exportPublicKeys(directory));
    await until(() => c.accepted.length === 30, "30 accepted events");
    c.failNext(3, true);
    for (let i = 30; i < 36; i++) first.client.withCorrelation(`order-${i % 3}`, () => pay(i));
    await until(() => c.accepted.length === 36, "36 accepted events");
    await first.client.shutdown();

    // A restart resumes from the persisted cursor; losing the cursor only resends (duplicates, answered 200).
    rmSync(join(directory, "inst_ship", SHIP_CURSOR_FILE), { force: true });
    const second = evidenceClient({ directory, instanceId: "inst_ship", ship });
    const pay2 = second.client.wrap({ intent: "Pay", action: "pay" }, (n: number) => n);
    for (let i = 36; i < 42; i++) second.client.withCorrelation(`order-${i % 3}`, () => pay2(i));
    await until(() => c.accepted.length === 42, "42 accepted events");
    await second.client.shutdown();

    expect(c.duplicates).toBe(36);
    expect(c.answers).not.toContain(409);
    expect(c.answers).not.toContain(400);
    const { events } = await readAll(directory);
    expect(c.accepted.map((e) => e.event_id).sort()).toEqual(events.map((e) => e.event_id).sort());
    for (const order of ["order-0", "order-1", "order-2"]) {
      expect(c.accepted.filter((e) => e.correlation_id === order).map((e) => e.chain_position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    }
    const reported = [...first.errors, ...second.errors] as EvidenceError[];
    expect(reported.every((e) => e.code === "ship_failed")).toBe(true);
    expect(reported.some((e) => /answered 401 \(unknown key\)/.test(e.message))).toBe(true);
    expect(reported.some((e) => /answered 503/.test(e.message))).toBe(true);
    expect(reported.map((e) => e.message).join("\n")).not.toContain("test-token");
  }, 60_000);

  it("skips (and reports) an event the ingest rejects for a chain conflict, then carries on", async () => {
    collector = await startVerifyingCollector();
    const c = collector;
    const directory = tempDir();
    // Another writer already took position 1 of this chain at the ingest under the same instance id.
    const other = tempDir();
    const impostor = evidenceClient({ directory: other, instanceId: "inst_c" });
    impostor.client.withCorrelation("order-x", () => impostor.client.wrap({ intent: "A", action: "a" }, () => 0)());
    await impostor.client.shutdown();
    const impostorKeys = await exportPublicKeys(other);
    const { events: [taken] } = await readAll(other);

    const mine = evidenceClient({ directory, instanceId: "inst_c", keyId: "inst_c:mine", ship: { url: c.url, retryBaseMs: 5, retryMaxMs: 20 } });
    await mine.evidence.ready();
    c.setKeys({ keys: [...impostorKeys.keys, ...(await exportPublicKeys(directory)).keys] });
    const res = await fetch(`${c.url}/v1/events`, { method: "POST", body: JSON.stringify(taken) });
    expect(res.status).toBe(202);
    const call = mine.client.wrap({ intent: "A", action: "a" }, (n: number) => n);
    mine.client.withCorrelation("order-x", () => call(1));
    mine.client.withCorrelation("order-y", () => call(2));
    await until(() => c.accepted.some((e) => e.correlation_id === "order-y"), "order-y accepted");
    await mine.client.shutdown();
    expect(c.answers).toContain(409);
    expect(mine.errors.some((e) => /answered 409 \(chain conflict\).*skipped/.test(e.message))).toBe(true);
  }, 60_000);
});
