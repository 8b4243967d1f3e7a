/**
 * kill -9 in the middle of writing, in a real child process on the built
 * package: the next start repairs a torn last line, reports it, keeps every
 * event acknowledged by flush(), continues the chains, and the whole log
 * verifies.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { exportPublicKeys } from "../../src/evidence/public-keys.js";
import { verifyCheckpointSequence } from "../../src/evidence/verify/checkpoint-sequence.js";
import { readAll, tempDir } from "./support/evidence-fixture.js";
import { REPO_ROOT, startWriter } from "./support/child-writer.js";
import { segmentOf, verify } from "./support/tamper.js";

describe("evidence log after kill -9", () => {
  beforeAll(() => {
    if (!existsSync(join(REPO_ROOT, "dist", "index.js"))) throw new Error("the child runs the built package: run `npm run build` first");
  });

  it("repairs a torn line, loses nothing flushed, continues chains without conflict", async () => {
    const directory = tempDir();
    const first = startWriter({ EVIDENCE_DIR: directory, MODE: "run" });
    const [, instanceId] = await first.waitFor(/ready (\S+)\n/);
    await first.waitFor(/(flushed [^\n]*\n[\s\S]*){4}/);
    first.child.kill("SIGKILL");
    expect(await first.exited).toBe(null);
    const acknowledged = [...first.output().matchAll(/^flushed (\S+)$/gm)].flatMap((m) => m[1]!.split(","));
    expect(acknowledged.length).toBeGreaterThanOrEqual(200);

    // Whether or not the kill landed mid-write, make the tail torn the way
    // an interrupted write leaves it: the first half of a record, no newline.
    const segment = segmentOf(directory);
    const text = readFileSync(segment, "utf8");
    if (text.endsWith("\n")) appendFileSync(segment, text.slice(0, 700));
    const tornBytes = readFileSync(segment).length - readFileSync(segment, "utf8").lastIndexOf("\n") - 1;
    expect(tornBytes).toBeGreaterThan(0);

    const second = startWriter({ EVIDENCE_DIR: directory, MODE: "resume", RESUME_COUNT: "25" });
    await second.waitFor(/done /);
    expect(await second.exited).toBe(0);
    expect(second.output()).toMatch(new RegExp(`ready ${instanceId}\\n`)); // the same instance resumed
    expect(second.output()).toMatch(/error log_repaired cut a torn last line \(\d+ bytes/);
    expect(existsSync(`${segment}.torn`)).toBe(true);

    const { events, entries } = await readAll(directory);
    const ids = new Set(events.map((e) => e.event_id));
    for (const id of acknowledged) expect(ids.has(id)).toBe(true);
    const keys = await exportPublicKeys(directory);
    const keysFile = join(tempDir(), "keys.json");
    writeFileSync(keysFile, JSON.stringify(keys));
    const { code, report } = await verify(directory, keysFile);
    expect(report.findings).toEqual([]);
    expect(code).toBe(0);
    // The resumed writer's proofs start from the last checkpoint the killed one wrote: a witness sees one unbroken history.
    const checkpoints = entries.flatMap((e) => (e.kind === "checkpoint" ? [e.record] : []));
    expect(verifyCheckpointSequence(checkpoints, keys)).toMatchObject({ status: "pass", proven: checkpoints.length, unproven: [] });
    // The resumed events continued the five chains: no second position 1.
    expect(events.filter((e) => e.chain_position === 1).length).toBe(5);
    expect(report.chains).toBe(5);
  }, 90_000);

  it("gives processes that start together after a crash one instance each, never one shared", async () => {
    const directory = tempDir();
    const crashed = startWriter({ EVIDENCE_DIR: directory, MODE: "run" });
    const [, deadInstance] = await crashed.waitFor(/ready (\S+)\n/);
    await crashed.waitFor(/flushed /);
    crashed.child.kill("SIGKILL");
    await crashed.exited;

    // All four hold their instance until every one has started (a writer that
    // finished earlier would rightly leave its instance free for the next).
    const barrier = join(tempDir(), "go");
    const writers = Array.from({ length: 4 }, () =>
      startWriter({ EVIDENCE_DIR: directory, MODE: "resume", RESUME_COUNT: "20", BARRIER_FILE: barrier }),
    );
    const instances = await Promise.all(writers.map(async (w) => (await w.waitFor(/ready (\S+)\n/))[1]!));
    writeFileSync(barrier, "go");
    expect(await Promise.all(writers.map((w) => w.exited))).toEqual([0, 0, 0, 0]);
    expect(new Set(instances).size).toBe(4);
    // Exactly one of them resumed the crashed instance (its lock was dead); the others made new ones.
    expect(instances.filter((id) => id === deadInstance).length).toBe(1);
    const keysFile = join(tempDir(), "keys.json");
    writeFileSync(keysFile, JSON.stringify(await exportPublicKeys(directory)));
    const { report } = await verify(directory, keysFile);
    expect(report.findings).toEqual([]);
    expect(report.status).toBe("pass");
  }, 120_000);
});
