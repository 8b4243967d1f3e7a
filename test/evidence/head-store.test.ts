import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HeadStore } from "../../src/evidence/head-store.js";
import { tempDir } from "./support/evidence-fixture.js";

describe("HeadStore", () => {
  it("answers the highest persisted position, and 'never seen' without a read", async () => {
    const store = new HeadStore(tempDir());
    await store.load();
    expect(store.mightHave("order-1")).toBe(false);
    await store.put([["order-1", { position: 3, hash: "sha256:" + "a".repeat(64) }]]);
    await store.put([["order-1", { position: 4, hash: "sha256:" + "b".repeat(64) }]]);
    expect(store.mightHave("order-1")).toBe(true);
    expect(await store.get("order-1")).toEqual({ position: 4, hash: "sha256:" + "b".repeat(64) });
    expect(await store.get("order-2")).toBeUndefined();
  });

  it("keeps a busy chain's bucket small by compacting it, and a reloaded store still knows every head", async () => {
    const path = tempDir();
    const compactAt = 16 * 1024;
    const store = new HeadStore(path, compactAt);
    await store.load();
    // 40 chains, each advanced at 300 checkpoints: ~1.4 MB of lines without compaction.
    for (let checkpoint = 1; checkpoint <= 300; checkpoint++) {
      await store.put(Array.from({ length: 40 }, (_, c) => [`chain-${c}`, { position: checkpoint, hash: "sha256:" + "c".repeat(64) }] as [string, { position: number; hash: string }]));
    }
    const total = readdirSync(join(path, "heads")).reduce((sum, name) => sum + statSync(join(path, "heads", name)).size, 0);
    expect(total).toBeLessThan(16 * 2 * compactAt);
    const reloaded = new HeadStore(path);
    await reloaded.load();
    for (let c = 0; c < 40; c++) expect((await reloaded.get(`chain-${c}`))?.position).toBe(300);
  }, 60_000);
});
