/**
 * A log shorter than its state.json says (its tail truncated or restored by
 * hand, the final checkpoint gone and a line torn): the writer must resume
 * from the log itself, repairing the torn line, and not append onto the
 * fragment; the log must verify afterwards. Real files, two writers in turn.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exportPublicKeys } from "../../src/evidence/public-keys.js";
import { evidenceClient, readAll, tempDir } from "./support/evidence-fixture.js";
import { reasons, segmentOf, verify } from "./support/tamper.js";

const CHECKPOINT = '"schema":"intentproof.checkpoint.v1"';

async function write(directory: string, from: number, count: number) {
  const writer = evidenceClient({ directory, instanceId: "inst_stale", checkpointEvery: 4, checkpointIntervalMs: 60_000 });
  const pay = writer.client.wrap({ intent: "Pay", action: "pay.do" }, (n: number) => ({ n }));
  for (let n = from; n < from + count; n++) await writer.client.withCorrelation(`corr-${n % 2}`, () => pay(n));
  await writer.client.shutdown();
  return writer.errors;
}

describe("a log shorter than its state.json", () => {
  it("is resumed from the log itself: the torn line is cut, the chains continue, the log verifies", async () => {
    const directory = tempDir();
    expect(await write(directory, 0, 10)).toEqual([]);

    // Drop the shutdown checkpoint state.json was saved with, and tear the last event in half.
    const segment = segmentOf(directory);
    const lines = readFileSync(segment, "utf8").split("\n").slice(0, -1);
    expect(lines.at(-1)).toContain(CHECKPOINT);
    lines.pop();
    const last = lines.pop()!;
    writeFileSync(segment, `${lines.map((line) => `${line}\n`).join("")}${last.slice(0, 100)}`);

    const errors = await write(directory, 10, 6);
    expect(errors.map((error) => [error.code, error.message])).toEqual([
      ["log_repaired", expect.stringMatching(/^state\.json pointed past the end of the log/)],
      ["log_repaired", expect.stringMatching(/^cut a torn last line/)],
    ]);

    const keysFile = join(tempDir(), "keys.json");
    writeFileSync(keysFile, JSON.stringify(await exportPublicKeys(directory)));
    const { code, report } = await verify(directory, keysFile);
    expect(report.findings).toEqual([]);
    expect(code).toBe(0);
    // 9 events survived the cut, 6 more were written: two chains, no second position 1.
    const { events } = await readAll(directory);
    expect(events).toHaveLength(15);
    expect(events.filter((event) => event.chain_position === 1)).toHaveLength(2);
  });
});

describe("a log changed before its state.json's checkpoint", () => {
  it("is resumed from the log itself, with a notice; the next checkpoint counts what the log holds", async () => {
    const directory = tempDir();
    expect(await write(directory, 0, 10)).toEqual([]);

    // An event line replaced by a longer one: state.json's offset now lands inside a line.
    const segment = segmentOf(directory);
    const lines = readFileSync(segment, "utf8").split("\n").slice(0, -1);
    const target = lines.findIndex((line) => line.includes('"n":1}'));
    expect(target).toBeGreaterThanOrEqual(0);
    lines[target] = lines[target]!.replace('"n":1}', '"n":1000000000000}');
    writeFileSync(segment, lines.map((line) => `${line}\n`).join(""));

    const errors = await write(directory, 10, 6);
    expect(errors.map((error) => [error.code, error.message])).toEqual([
      ["log_repaired", expect.stringMatching(/^the log no longer holds state\.json's checkpoint where state\.json says/)],
    ]);

    const { entries, events } = await readAll(directory);
    expect(events).toHaveLength(16);
    const checkpoints = entries.flatMap((entry) => (entry.kind === "checkpoint" ? [entry.record] : []));
    // The restarted writer's checkpoint describes the log as it is, not the tree it saved before the change.
    expect(checkpoints.at(-1)).toMatchObject({ log_size: 16 });
    const keysFile = join(tempDir(), "keys.json");
    writeFileSync(keysFile, JSON.stringify(await exportPublicKeys(directory)));
    const { code, report } = await verify(directory, keysFile);
    expect(code).not.toBe(0);
    // The changed record, the chain link after it, and the earlier checkpoints against the new one: nothing else.
    expect(reasons(report)).toEqual(["chain.prev_hash_mismatch", "checkpoint.inconsistent", "signature.invalid"]);
  });
});
