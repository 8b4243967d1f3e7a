/**
 * Evidence holds business data: what the exporter creates is owner-only
 * (files 0600, directories 0700), whatever the umask allows beyond that; a
 * directory that already exists keeps the mode its owner gave it.
 */
import { appendFileSync, chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { evidenceClient, tempDir } from "./support/evidence-fixture.js";

function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

/** Every file and directory under `root`, with its mode. */
function modes(root: string): Record<string, number> {
  const out: Record<string, number> = {};
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const name = prefix + entry.name;
      out[name] = modeOf(join(dir, entry.name));
      if (entry.isDirectory()) walk(join(dir, entry.name), `${name}/`);
    }
  };
  walk(root, "");
  return out;
}

async function record(directory: string, count: number, options: { maxSegmentBytes?: number } = {}) {
  const { client, evidence, errors } = evidenceClient({ directory, instanceId: "inst_modes", checkpointEvery: 10, ...options });
  const call = client.wrap({ intent: "Pay", action: "pay" }, (n: number) => ({ n, note: "z".repeat(300) }));
  for (let i = 0; i < count; i++) client.withCorrelation(`c${i % 3}`, () => call(i));
  await client.flush();
  const { instancePath } = await evidence.ready();
  const whileRunning = modeOf(join(instancePath, "writer.lock"));
  await client.shutdown();
  expect(errors.filter((e) => e.code !== "log_repaired")).toEqual([]); // the torn-line test makes one on purpose
  return { instancePath, whileRunning };
}

describe("evidence file modes", () => {
  it("creates the directories 0700 and every file 0600: segments, identity, state, heads, key, lock", async () => {
    const directory = join(tempDir(), "var", "evidence");
    const { instancePath, whileRunning } = await record(directory, 30, { maxSegmentBytes: 4096 });
    expect(whileRunning).toBe(0o600);

    const found = modes(instancePath);
    const names = Object.keys(found);
    expect(names.filter((n) => /^events-\d{6}\.jsonl$/.test(n)).length).toBeGreaterThan(2); // rotated segments too
    expect(names).toEqual(expect.arrayContaining(["identity.json", "state.json", "signing-key.pem", "heads"]));
    expect(names.some((n) => /^heads\/.+\.jsonl$/.test(n))).toBe(true);
    for (const [name, mode] of Object.entries(found)) expect([name, mode]).toEqual([name, name === "heads" ? 0o700 : 0o600]);
    expect(modeOf(instancePath)).toBe(0o700);
    expect(modeOf(directory)).toBe(0o700);
    expect(modeOf(join(directory, ".."))).toBe(0o700); // created on the way
  });

  it("keeps the mode of a directory that exists and still makes the instance directory 0700", async () => {
    const directory = join(tempDir(), "shared");
    mkdirSync(directory);
    chmodSync(directory, 0o755);
    const { instancePath } = await record(directory, 5);
    expect(modeOf(directory)).toBe(0o755);
    expect(modeOf(instancePath)).toBe(0o700);
  });

  it("does not take the mode of a temporary file left by a crash, nor of a torn line's bytes", async () => {
    const directory = tempDir();
    const { instancePath } = await record(directory, 5);
    // A crash between writing state.json.tmp and renaming it, by a version that created it 0644.
    writeFileSync(join(instancePath, "state.json.tmp"), "{}", { mode: 0o644 });
    chmodSync(join(instancePath, "state.json.tmp"), 0o644);
    // And a torn last line (kill -9 mid-write): its bytes are kept in a .torn file.
    appendFileSync(join(instancePath, "events-000001.jsonl"), '{"half a record');
    await record(directory, 5);
    expect(modeOf(join(instancePath, "state.json"))).toBe(0o600);
    expect(modeOf(join(instancePath, "events-000001.jsonl.torn"))).toBe(0o600);
  });
});
