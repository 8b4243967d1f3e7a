/**
 * A log line must be the writer's exact text for the record it parses to.
 * The signature covers the parsed value, so a line that parses to the signed
 * value but reads otherwise (a duplicated member name, an escape the
 * canonicalizer folds into the same bytes) would verify while showing a
 * person, or grep, something else. Real logs on disk, tampered as text.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { EvidenceExporter } from "../../src/evidence/evidence-exporter.js";
import { exportPublicKeys } from "../../src/evidence/public-keys.js";
import { evidenceClient, tempDir } from "./support/evidence-fixture.js";
import { buildLog, eventLines, reasons, segmentOf, tampered, verify, type BuiltLog } from "./support/tamper.js";

let log: BuiltLog;
/** A log whose payloads take every path of the canonicalizer: digit member names, non-ASCII, a lone surrogate. */
let awkward: BuiltLog;

beforeAll(async () => {
  log = await buildLog();
  const directory = tempDir("file");
  const { client, errors } = evidenceClient({ directory });
  const echo = client.wrap({ intent: "Echo", action: "payload.echo" }, (value: unknown) => value);
  await client.withCorrelation("awkward", async () => {
    await echo({ "10": "ten", "9": "nine", "-x": "dash", b: [1, 2.5, -0, 1e21], nested: { "é": "café ☃ 😀", z: null } });
    await echo({ t: "lone \udc00 surrogate", tab: "a\tb\u0001" });
  });
  await client.shutdown();
  expect(errors).toEqual([]);
  const keysFile = join(tempDir("file"), "keys.json");
  writeFileSync(keysFile, JSON.stringify(await exportPublicKeys(directory)));
  awkward = { directory, keysFile, checkpoints: [] };
});

/** A copy of `built` with line `index` of its segment rewritten as text. */
function editLine(built: BuiltLog, pick: (lines: string[]) => number, change: (line: string) => string): string {
  return tampered(built, (lines) => {
    const i = pick(lines);
    const changed = change(lines[i]!);
    expect(changed).not.toBe(lines[i]);
    lines[i] = changed;
    return lines;
  });
}

describe("a line must be the writer's text for its record (record.not_canonical)", () => {
  it("passes honest logs, whatever their payloads hold", async () => {
    expect((await verify(log.directory, log.keysFile)).report).toMatchObject({ status: "pass", findings: [] });
    const { code, report } = await verify(awkward.directory, awkward.keysFile);
    expect([code, report.findings]).toEqual([0, []]);
  });

  it("catches a duplicated member name: the parse keeps the signed value, a reader sees the other", async () => {
    // The bug this guards against: {"output":{"captured":500000},…,"output":{"captured":3}} verified.
    const copy = editLine(log, (lines) => eventLines(lines)[5]!, (line) => line.replace('{"action":', '{"output":{"captured":500000},"action":'));
    const { code, report } = await verify(copy, log.keysFile);
    expect(code).toBe(1);
    expect(reasons(report)).toEqual(["record.not_canonical"]);
    const [finding] = report.findings;
    expect(finding!.event_id).toEqual(expect.any(String));
    expect(finding!.detail).toMatch(/events-000001\.jsonl:\d+: it departs from the writer's text .* at character 3 \(\{"output":\{"captured":500000\}/);
  });

  it("catches a stored U+FFFD rewritten as the escape \\udc00 (the same signed bytes, another value)", async () => {
    const stored = readFileSync(segmentOf(awkward.directory), "utf8");
    expect(stored).toContain('"t":"lone \ufffd surrogate"'); // the writer stores a lone surrogate as U+FFFD
    const lone = editLine(awkward, (lines) => lines.findIndex((l) => l.includes('"t":"lone')), (line) => line.replace("lone \ufffd", "lone \\udc00"));
    expect(reasons((await verify(lone, awkward.keysFile)).report)).toEqual(["record.not_canonical"]);
    // The same value written with an escape the writer never uses is not its text either.
    const escaped = editLine(awkward, (lines) => lines.findIndex((l) => l.includes('"t":"lone')), (line) => line.replace("lone \ufffd", "lone \\ufffd"));
    expect(reasons((await verify(escaped, awkward.keysFile)).report)).toEqual(["record.not_canonical"]);
  });

  it.each([
    ["spacing", (line: string) => line.replace('"action":"payments.capture"', '"action": "payments.capture"')],
    ["member order (signature first)", (line: string) => {
      const { signature, ...rest } = JSON.parse(line) as Record<string, unknown>;
      return JSON.stringify({ signature, ...rest });
    }],
    ["an escaped character", (line: string) => line.replace('"intent":"Pay"', '"intent":"P\\u0061y"')],
    ["a number's spelling", (line: string) => line.replace('"chain_position":1,', '"chain_position":1.0,')],
  ])("catches %s the writer never writes", async (_what, change) => {
    const copy = editLine(log, (lines) => eventLines(lines)[2]!, change);
    expect(reasons((await verify(copy, log.keysFile)).report)).toEqual(["record.not_canonical"]);
  });

  it("holds checkpoint lines to the writer's text too: a duplicated log_size", async () => {
    const copy = editLine(log, (lines) => lines.findIndex((l) => l.includes('"sequence":2')), (line) => line.replace('{"schema":', '{"log_size":999,"schema":'));
    const { report } = await verify(copy, log.keysFile);
    expect(reasons(report)).toEqual(["record.not_canonical"]);
    expect(report.findings[0]!.detail).toContain("999");
  });

  it("refuses a tenantId or keyId with a lone surrogate, which has no one text (an honest log would not verify)", async () => {
    const directory = tempDir();
    expect(() => new EvidenceExporter({ directory, tenantId: "acme\ud800" })).toThrow(/"tenantId" must be well-formed Unicode/);
    expect(() => new EvidenceExporter({ directory, tenantId: "acme", keyId: "k\udc00" })).toThrow(/"keyId" must be well-formed Unicode/);
    await new EvidenceExporter({ directory, tenantId: "acme \ud83d\ude00", keyId: "k1" }).shutdown(); // a pair is fine
  });
});
