/**
 * The writer never writes an empty line (every append is a record and its
 * newline; a torn tail is cut back to the last newline), so a blank line in a
 * log was put there by someone else: `log.unreadable_line`, as the exporter's
 * own recovery counts it.
 */
import { describe, expect, it } from "vitest";
import { buildLog, eventLines, reasons, tampered, verify } from "./support/tamper.js";

describe("blank lines in a log", () => {
  it.each([
    ["empty", ""],
    ["whitespace-only", " \t"],
  ])("fails an inserted %s line: log.unreadable_line, named by file and line", async (_kind, blank) => {
    const log = await buildLog();
    const copy = tampered(log, (lines) => {
      lines.splice(eventLines(lines)[4]! + 1, 0, blank);
      return lines;
    });
    const { code, report } = await verify(copy, log.keysFile);
    expect([code, reasons(report)]).toEqual([1, ["log.unreadable_line"]]);
    expect(report.findings[0]!.detail).toMatch(/events-000001\.jsonl:\d+ is a blank line/);
  });
});
