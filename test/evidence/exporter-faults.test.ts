/** Faults never reach the caller: they are reported and counted, and chains never get holes or forks. */
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EvidenceExporter } from "../../src/evidence/evidence-exporter.js";
import type { EvidenceError } from "../../src/evidence/errors.js";
import { exportPublicKeys } from "../../src/evidence/public-keys.js";
import type { ExecutionEvent } from "../../src/core/types.js";
import { evidenceClient, readAll, tempDir } from "./support/evidence-fixture.js";
import { verify } from "./support/tamper.js";

async function keysOf(directory: string): Promise<string> {
  const file = join(tempDir(), "keys.json");
  writeFileSync(file, JSON.stringify(await exportPublicKeys(directory)));
  return file;
}

describe("EvidenceExporter faults and bounds", () => {
  it("reports an unusable directory, counts drops, and never throws into the caller", async () => {
    const file = join(tempDir(), "not-a-directory");
    writeFileSync(file, "x");
    const { client, evidence, errors } = evidenceClient({ directory: join(file, "evidence") });
    const call = client.wrap({ intent: "Pay", action: "pay" }, (n: number) => n + 1);
    for (let i = 0; i < 5; i++) expect(call(i)).toBe(i + 1);
    await expect(evidence.ready()).rejects.toMatchObject({ code: "unavailable" });
    for (let i = 0; i < 3; i++) expect(call(i)).toBe(i + 1);
    await client.flush();
    await client.shutdown();
    expect(evidence.stats().dropped).toBe(8);
    // The 5 queued before the start failed: one report; the 3 refused at the
    // door: one report each; then flush() sums all 8 up (to onExporterError).
    expect(errors.map((e) => [e.code, e.dropped])).toEqual([
      ["unavailable", 5],
      ["unavailable", 1],
      ["unavailable", 1],
      ["unavailable", 1],
      ["unavailable", 8],
    ]);
    expect(errors.at(-1)?.message).toMatch(/^8 event\(s\) were dropped since the last flush/);
  });

  it("keeps memory bounded and chains whole when the disk fails (ENOSPC via /dev/full)", async () => {
    const directory = tempDir();
    mkdirSync(join(directory, "inst_full"));
    symlinkSync("/dev/full", join(directory, "inst_full", "events-000001.jsonl"));
    const { client, evidence, errors } = evidenceClient({ directory, instanceId: "inst_full", maxBacklog: 20 });
    await evidence.ready();
    const call = client.wrap({ intent: "Pay", action: "pay" }, (n: number) => n);
    for (let i = 0; i < 60; i++) expect(client.withCorrelation("c", () => call(i))).toBe(i);
    const failedWrite = () => errors.some((e) => e.code === "write_failed" && /ENOSPC|no space/i.test(e.message));
    const deadline = Date.now() + 10_000;
    while (!failedWrite() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(failedWrite()).toBe(true);
    expect(evidence.stats().backlog).toBe(20);
    expect(errors.filter((e) => e.code === "backlog_full").length).toBe(40);
    await client.shutdown();
    const stats = evidence.stats();
    expect(stats.dropped).toBe(60);
    expect(stats.written).toBe(0);
  }, 20_000);

  it("refuses a second writer on one instance and gives parallel writers their own instances", async () => {
    const directory = tempDir();
    const a = new EvidenceExporter({ directory, tenantId: "t", instanceId: "inst_one", onError: () => undefined });
    await a.ready();
    const errors: EvidenceError[] = [];
    const b = new EvidenceExporter({ directory, tenantId: "t", instanceId: "inst_one", onError: (e) => errors.push(e) });
    await expect(b.ready()).rejects.toThrow(/being written by pid \d+/);
    const c = new EvidenceExporter({ directory, tenantId: "t", onError: () => undefined });
    const d = new EvidenceExporter({ directory, tenantId: "t", onError: () => undefined });
    const [ic, id] = await Promise.all([c.ready(), d.ready()]);
    expect(new Set([ic.instanceId, id.instanceId, "inst_one"]).size).toBe(3);
    await Promise.all([a.shutdown(), b.shutdown().catch(() => undefined), c.shutdown(), d.shutdown()]);
    // After a clean shutdown the instance is free again.
    const again = new EvidenceExporter({ directory, tenantId: "t", instanceId: "inst_one" });
    await expect(again.ready()).resolves.toMatchObject({ instanceId: "inst_one" });
    await again.shutdown();
  });

  it("drops an event that cannot map to a valid record, without advancing its chain", async () => {
    const directory = tempDir();
    const errors: EvidenceError[] = [];
    const evidence = new EvidenceExporter({ directory, tenantId: "t", onError: (e) => errors.push(e) });
    const good = (id: string): ExecutionEvent => ({
      id, correlationId: "c", intent: "i", action: "a", inputs: {}, status: "ok",
      startedAt: "2026-01-01T00:00:00.000Z", completedAt: "2026-01-01T00:00:00.000Z", durationMs: 0,
    });
    evidence.export(good("e1"));
    evidence.export({ ...good("e2"), startedAt: "yesterday" });
    evidence.export(null as unknown as ExecutionEvent);
    evidence.export(good("e3"));
    await expect(evidence.flush()).rejects.toMatchObject({ dropped: 2 });
    await evidence.shutdown();
    expect(errors.map((e) => e.code)).toEqual(["invalid_record", "seal_failed"]);
    const { events } = await readAll(directory);
    expect(events.map((e) => [e.event_id, e.chain_position])).toEqual([["e1", 1], ["e3", 2]]);
    expect((await verify(directory, await keysOf(directory))).report.status).toBe("pass");
  });

  it("bounds open chains and continues a chain that left memory at its next position", async () => {
    const directory = tempDir();
    const { client, evidence, errors } = evidenceClient({ directory, maxOpenChains: 3, checkpointEvery: 5 });
    const call = client.wrap({ intent: "Step", action: "step" }, (n: number) => n);
    for (let round = 0; round < 6; round++) {
      for (let c = 0; c < 10; c++) client.withCorrelation(`corr-${c}`, () => call(round));
      await client.flush();
      expect(evidence.stats().openChains).toBeLessThanOrEqual(3);
    }
    await client.shutdown();
    expect(errors).toEqual([]);
    const { events } = await readAll(directory);
    for (let c = 0; c < 10; c++) {
      expect(events.filter((e) => e.correlation_id === `corr-${c}`).map((e) => e.chain_position)).toEqual([1, 2, 3, 4, 5, 6]);
    }
    expect((await verify(directory, await keysOf(directory))).report).toMatchObject({ status: "pass", chains: 10, events: 60 });
  });

  it("closes idle chains after chainIdleMs and still continues them", async () => {
    const directory = tempDir();
    const { client, evidence, errors } = evidenceClient({ directory, chainIdleMs: 3000, checkpointIntervalMs: 40 });
    const call = client.wrap({ intent: "Step", action: "step" }, (n: number) => n);
    client.withCorrelation("long-lived", () => call(1));
    await client.flush();
    expect(evidence.stats().openChains).toBe(1);
    // Idle chains leave memory on the exporter's own timer; wait for it rather than a fixed sleep.
    const deadline = Date.now() + 20_000;
    while (evidence.stats().openChains > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(evidence.stats().openChains).toBe(0);
    client.withCorrelation("long-lived", () => call(2));
    await client.shutdown();
    expect(errors).toEqual([]);
    const { events } = await readAll(directory);
    expect(events.map((e) => e.chain_position)).toEqual([1, 2]);
  });

  it("writes interval checkpoints while events flow, and reports a failing onCheckpoint without stopping", async () => {
    const directory = tempDir();
    const seen: number[] = [];
    const { client, evidence, errors } = evidenceClient({
      directory,
      checkpointIntervalMs: 50,
      onCheckpoint: (checkpoint) => {
        seen.push(checkpoint.sequence);
        if (checkpoint.sequence === 1) throw new Error("witness down");
      },
    });
    const call = client.wrap({ intent: "Tick", action: "tick" }, () => 1);
    const deadline = Date.now() + 5000;
    while (seen.length < 2 && Date.now() < deadline) {
      call();
      await new Promise((r) => setTimeout(r, 10));
    }
    await client.shutdown();
    expect(seen.slice(0, 2)).toEqual([1, 2]);
    expect(errors.map((e) => e.code)).toEqual(["checkpoint_hook_failed"]);
    const { entries } = await readAll(directory);
    const checkpoints = entries.filter((e) => e.kind === "checkpoint");
    expect(checkpoints.at(-1)).toMatchObject({ record: { trigger: "shutdown" } });
    expect(checkpoints.some((e) => e.kind === "checkpoint" && e.record.trigger === "interval")).toBe(true);
    expect(evidence.stats().checkpoints).toBe(checkpoints.length);
  });

  it("refuses a keyFile that holds no Ed25519 private key, naming the file, never its content", async () => {
    const dir = tempDir();
    const garbage = join(dir, "garbage.pem");
    writeFileSync(garbage, "hunter2");
    const ec = join(dir, "ec.pem");
    writeFileSync(ec, generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "pem", type: "pkcs8" }));
    for (const [keyFile, problem] of [[garbage, "not a PEM private key"], [ec, "not an Ed25519 private key"]] as const) {
      const { client, evidence } = evidenceClient({ directory: join(dir, "evidence"), keyFile });
      await expect(evidence.ready()).rejects.toMatchObject({ code: "unavailable", message: expect.stringContaining(`the key in ${keyFile} is ${problem}`) });
      await expect(evidence.ready()).rejects.not.toMatchObject({ message: expect.stringContaining("hunter2") });
      await client.shutdown();
    }
  });

  it("rejects bad options at construction with the toolkit's messages", () => {
    expect(() => new EvidenceExporter(undefined as never)).toThrow(/options \{ directory, tenantId \} are required/);
    expect(() => new EvidenceExporter({ directory: "d" } as never)).toThrow('EvidenceExporter: "tenantId" must be a non-empty string, got undefined');
    expect(() => new EvidenceExporter({ directory: "d", tenantId: "t", checkpointEvry: 5 } as never)).toThrow(/unknown field "checkpointEvry" \(did you mean "checkpointEvery"\?\)/);
    expect(() => new EvidenceExporter({ directory: "d", tenantId: "t", instanceId: "../x" })).toThrow(/"instanceId" must be 1-128/);
    expect(() => new EvidenceExporter({ directory: "d", tenantId: "t", signingKey: "-----BEGIN nonsense" })).toThrow(/"signingKey" must be an Ed25519 private key/);
    expect(() => new EvidenceExporter({ directory: "d", tenantId: "t", ship: { url: "ftp://x" } })).toThrow(/"ship.url" must be an http: or https: URL/);
    expect(() => new EvidenceExporter({ directory: "d", tenantId: "t", fsync: "never" as never })).toThrow(/"fsync" must be "batch" or "flush"/);
  });
});

describe("EvidenceExporter fsync policy and hostile hooks", () => {
  it("fsync: \"flush\" still has everything on disk when flush() resolves", async () => {
    const directory = tempDir();
    const { client, evidence, errors } = evidenceClient({ directory, fsync: "flush" });
    const call = client.wrap({ intent: "Pay", action: "pay" }, (n: number) => n);
    for (let i = 0; i < 25; i++) client.withCorrelation("c", () => call(i));
    await client.flush();
    expect(evidence.stats()).toMatchObject({ accepted: 25, written: 25, backlog: 0 });
    const { events } = await readAll(directory);
    expect(events.map((e) => e.chain_position)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    await client.shutdown();
    expect(errors).toEqual([]);
  });

  it("an onError hook that throws never reaches the caller or stops the pipeline", async () => {
    const directory = tempDir();
    let calls = 0;
    const evidence = new EvidenceExporter({
      directory,
      tenantId: "t",
      maxBacklog: 1,
      onError: () => {
        calls++;
        throw new Error("hook bug");
      },
    });
    const event = (id: string): ExecutionEvent => ({
      id, correlationId: "c", intent: "i", action: "a", inputs: {}, status: "ok",
      startedAt: "2026-01-01T00:00:00.000Z", completedAt: "2026-01-01T00:00:00.000Z", durationMs: 0,
    });
    expect(() => {
      evidence.export(event("e1"));
      evidence.export(event("e2")); // over maxBacklog: refused, reported to the throwing hook
    }).not.toThrow();
    await expect(evidence.flush()).rejects.toMatchObject({ code: "backlog_full", dropped: 1 });
    evidence.export(event("e3"));
    await evidence.shutdown();
    expect(calls).toBe(1);
    const { events } = await readAll(directory);
    expect(events.map((e) => e.event_id)).toEqual(["e1", "e3"]);
  });
});
