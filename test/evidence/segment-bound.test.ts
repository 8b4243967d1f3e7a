/**
 * `maxSegmentBytes` bounds every segment file (an operator sizes disks and
 * retention by it), not only the point where rotation is considered: a write
 * batch is split between lines, never inside one.
 */
import { mkdirSync, readdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exportPublicKeys } from "../../src/evidence/public-keys.js";
import { SegmentLog, segmentFileName } from "../../src/evidence/segment-log.js";
import { evidenceClient, readAll, tempDir } from "./support/evidence-fixture.js";
import { verify } from "./support/tamper.js";

function segmentsOf(instancePath: string): string[] {
  return readdirSync(instancePath)
    .filter((n) => /^events-\d{6}\.jsonl$/.test(n))
    .sort()
    .map((n) => join(instancePath, n));
}

describe("maxSegmentBytes", () => {
  it("keeps every segment within the bound when write batches are larger than it", async () => {
    const directory = tempDir();
    const maxSegmentBytes = 20_000;
    const { client, evidence, errors } = evidenceClient({ directory, maxSegmentBytes });
    const call = client.wrap({ intent: "a", action: "b" }, async (i: number) => ({ i, pad: "x".repeat(200) }));
    // Awaited calls in a burst: the signer returns batches of up to 256 records (~250 KB), each one write.
    await Promise.all(Array.from({ length: 1000 }, (_, i) => client.withCorrelation(`s-${i % 7}`, () => call(i))));
    await client.shutdown();
    expect(errors).toEqual([]);

    const { instancePath } = await evidence.ready();
    const segments = segmentsOf(instancePath);
    const sizes = segments.map((path) => statSync(path).size);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(maxSegmentBytes);
    // Filled, not merely split: each segment but the last stops only when the next line would not fit.
    expect(sizes.slice(0, -1).every((size) => size > maxSegmentBytes - 2_000)).toBe(true);
    for (const path of segments) expect(readFileSync(path, "utf8").endsWith("\n")).toBe(true);

    const { events } = await readAll(directory);
    expect(events.length).toBe(1000);
    const keysFile = join(tempDir(), "keys.json");
    writeFileSync(keysFile, JSON.stringify(await exportPublicKeys(directory)));
    expect((await verify(directory, keysFile)).report).toMatchObject({ status: "pass", events: 1000, chains: 7 });
  });

  it("gives a record longer than the bound a segment of its own, whole", async () => {
    const directory = tempDir();
    const { client, evidence, errors } = evidenceClient({ directory, maxSegmentBytes: 100 });
    const call = client.wrap({ intent: "a", action: "b" }, (i: number) => i);
    for (let i = 0; i < 5; i++) client.withCorrelation("c", () => call(i));
    await client.shutdown();
    expect(errors).toEqual([]);
    const segments = segmentsOf((await evidence.ready()).instancePath);
    // 5 events and the shutdown checkpoint, one line each.
    expect(segments.length).toBe(6);
    for (const path of segments) expect(readFileSync(path, "utf8").split("\n")).toHaveLength(2);
    expect((await readAll(directory)).events.length).toBe(5);
  });

  it("resumes a write split across segments after a failed rotation without writing a part twice", async () => {
    const instancePath = tempDir();
    const { log } = await SegmentLog.open(instancePath, { maxSegmentBytes: 100 }, undefined, () => undefined);
    // Two pieces per line, as the exporter writes signed records: a split may only fall between lines.
    const pieces = Array.from({ length: 8 }, (_, i) => [Buffer.from(`{"n":${i},`), Buffer.from(`"pad":"${"p".repeat(20)}"}\n`)]).flat();
    // The next segment's name is taken by a directory: the rotation's open fails.
    const blocker = join(instancePath, segmentFileName(2));
    mkdirSync(blocker);
    const progress = { next: 0 };
    await expect(log.append(pieces, progress)).rejects.toThrow(/EISDIR/);
    expect(progress.next).toBeGreaterThan(0);
    expect(progress.next).toBeLessThan(pieces.length);
    expect(progress.next % 2).toBe(0);
    rmdirSync(blocker);
    await log.append(pieces, progress);
    await log.close();

    const written = segmentsOf(instancePath).flatMap((path) => readFileSync(path, "utf8").split("\n").filter((l) => l !== ""));
    expect(written.map((l) => (JSON.parse(l) as { n: number }).n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const path of segmentsOf(instancePath)) expect(statSync(path).size).toBeLessThanOrEqual(100);
  });
});
