/** A restart without state.json over a log holding a record nested 10,000 deep: the record is skipped, the directory still used. */
import { appendFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { evidenceClient, tempDir } from "./support/evidence-fixture.js";
import { segmentOf } from "./support/tamper.js";

it("skips an uncanonicalizable record with log_repaired instead of refusing the directory", async () => {
  const directory = tempDir();
  const first = evidenceClient({ directory });
  first.client.withCorrelation("r-1", () => first.client.wrap({ intent: "a", action: "b" }, () => 1)());
  await first.client.shutdown();
  const segment = segmentOf(directory);
  const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
  appendFileSync(segment, `{"schema":"intentproof.event.v1","correlation_id":"r-9","chain_position":1,"output":${deep}}\n`);
  const instance = join(directory, readdirSync(directory).find((n) => !n.startsWith("."))!);
  rmSync(join(instance, "state.json"), { force: true });

  const second = evidenceClient({ directory });
  await second.evidence.ready();
  second.client.withCorrelation("r-2", () => second.client.wrap({ intent: "a", action: "b" }, () => 2)());
  await second.client.shutdown();
  expect(second.errors.map((e) => e.code)).toEqual(["log_repaired"]);
  expect(second.errors[0]!.message).toMatch(/1 record\(s\) in the log that cannot be canonicalized/);
});
