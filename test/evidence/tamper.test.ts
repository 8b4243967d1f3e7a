import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readAll, tempDir } from "./support/evidence-fixture.js";
import { buildLog, eventLines, forge, reasons, tampered, verify, type BuiltLog } from "./support/tamper.js";

let log: BuiltLog;
beforeAll(async () => {
  log = await buildLog();
});

describe("intentproof verify: tamper suite", () => {
  it("passes the untouched log (every record schema-valid)", async () => {
    const { events } = await readAll(log.directory);
    expect(events.length).toBe(28);
    const { code, report } = await verify(log.directory, log.keysFile);
    expect(report).toMatchObject({ status: "pass", events: 28, chains: 4, findings: [] });
    expect(report.checkpoints).toBe(5); // 28 events / 7, plus the shutdown checkpoint
    expect(code).toBe(0);
  });

  it("catches a changed field of one record: signature.invalid", async () => {
    const copy = tampered(log, (lines) => {
      const i = eventLines(lines)[5]!;
      lines[i] = lines[i]!.replace('"captured":1', '"captured":9');
      return lines;
    });
    const { code, report } = await verify(copy, log.keysFile);
    expect(code).toBe(1);
    expect(reasons(report)).toContain("signature.invalid");
    expect(reasons(report)).toContain("chain.prev_hash_mismatch");
    expect(reasons(report)).toContain("checkpoint.inconsistent");
  });

  it.each([
    ["first", (idx: number[]) => idx[0]!],
    ["middle", (idx: number[]) => idx[13]!],
    ["last", (idx: number[]) => idx.at(-1)!],
  ])("catches a deleted record (%s)", async (_which, pick) => {
    const copy = tampered(log, (lines) => {
      lines.splice(pick(eventLines(lines)), 1);
      return lines;
    });
    const { code, report } = await verify(copy, log.keysFile);
    expect(code).toBe(1);
    expect(reasons(report)).toContain("checkpoint.event_missing");
    if (_which !== "last") expect(reasons(report)).toContain("chain.gap");
  });

  it("catches two reordered records", async () => {
    const copy = tampered(log, (lines) => {
      const [a, b] = [eventLines(lines)[1]!, eventLines(lines)[2]!];
      [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      return lines;
    });
    const { report } = await verify(copy, log.keysFile);
    expect(reasons(report)).toEqual(["checkpoint.inconsistent"]);
    const sameChain = tampered(log, (lines) => {
      const [a, b] = [eventLines(lines)[0]!, eventLines(lines)[3]!]; // order-a positions 1 and 2
      [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      return lines;
    });
    expect(reasons((await verify(sameChain, log.keysFile)).report)).toEqual(["chain.out_of_order", "checkpoint.inconsistent"]);
  });

  it("catches a duplicated record: chain.duplicate", async () => {
    const copy = tampered(log, (lines) => {
      const i = eventLines(lines)[4]!;
      lines.splice(i + 1, 0, lines[i]!);
      return lines;
    });
    const { report } = await verify(copy, log.keysFile);
    expect(reasons(report)).toContain("chain.duplicate");
    expect(report.findings.find((f) => f.reason === "chain.duplicate")?.correlation_id).toBe("order-b");
  });

  it("catches a forged record signed with another key: signature.key_unknown and chain.fork", async () => {
    const copy = tampered(log, (lines) => {
      const i = eventLines(lines)[6]!;
      lines.splice(i + 1, 0, forge(lines[i]!));
      return lines;
    });
    const { report } = await verify(copy, log.keysFile);
    expect(reasons(report)).toEqual(expect.arrayContaining(["signature.key_unknown", "chain.fork", "checkpoint.inconsistent"]));
  });

  it("catches swapped signatures: signature.invalid", async () => {
    const copy = tampered(log, (lines) => {
      const [a, b] = [eventLines(lines)[7]!, eventLines(lines)[8]!];
      const ra = JSON.parse(lines[a]!) as { signature: unknown };
      const rb = JSON.parse(lines[b]!) as { signature: unknown };
      [ra.signature, rb.signature] = [rb.signature, ra.signature];
      lines[a] = JSON.stringify(ra);
      lines[b] = JSON.stringify(rb);
      return lines;
    });
    const { report } = await verify(copy, log.keysFile);
    expect(reasons(report)).toEqual(["signature.invalid"]);
    expect(report.findings.length).toBe(2);
  });

  it("names a record's signer first: another alg is signature.invalid under a trusted key id, signature.key_unknown under an unknown one", async () => {
    const withSignature = (edit: (signature: Record<string, unknown>) => void) =>
      tampered(log, (lines) => {
        const i = eventLines(lines)[9]!;
        const record = JSON.parse(lines[i]!) as { signature: Record<string, unknown> };
        edit(record.signature);
        lines[i] = JSON.stringify(record);
        return lines;
      });
    const signatureFindings = async (copy: string) => (await verify(copy, log.keysFile)).report.findings.filter((f) => f.reason.startsWith("signature."));
    expect(await signatureFindings(withSignature((s) => (s.alg = "rsa")))).toEqual([
      expect.objectContaining({ reason: "signature.invalid", detail: expect.stringMatching(/: the signature does not verify with key "[^"]+"$/) }),
    ]);
    expect(await signatureFindings(withSignature((s) => Object.assign(s, { alg: "rsa", key_id: "someone:k1" })))).toEqual([
      expect.objectContaining({ reason: "signature.key_unknown", detail: expect.stringMatching(/: key id "someone:k1" is not in the given key set$/) }),
    ]);
    expect(await signatureFindings(withSignature((s) => delete s.key_id))).toEqual([
      expect.objectContaining({ reason: "signature.invalid", detail: expect.stringMatching(/: the record is not signed$/) }),
    ]);
  });

  it("catches a log truncated after a checkpoint, given the last witnessed checkpoint", async () => {
    const copy = tampered(log, (lines) => {
      const second = lines.findIndex((l) => l.includes('"sequence":2'));
      return lines.slice(0, second + 1);
    });
    const witness = join(tempDir(), "witnessed.jsonl");
    writeFileSync(witness, log.checkpoints.map((c) => JSON.stringify(c)).join("\n") + "\n");
    const { code, report } = await verify(copy, log.keysFile, ["--checkpoint", witness]);
    expect(code).toBe(1);
    expect(reasons(report)).toEqual(["checkpoint.event_missing"]);
    expect(report.findings.length).toBe(3); // witnessed checkpoints 3, 4 and 5 are gone
  });

  it("catches a whole correlation dropped: checkpoint.event_missing", async () => {
    const copy = tampered(log, (lines) => lines.filter((l) => !l.includes('"correlation_id":"order-c"')));
    const { report } = await verify(copy, log.keysFile);
    expect(reasons(report)).toEqual(["checkpoint.event_missing"]);
  });

  it("catches a changed or removed checkpoint", async () => {
    const changed = tampered(log, (lines) => lines.map((l) => l.replace('"log_size":14', '"log_size":13')));
    expect(reasons((await verify(changed, log.keysFile)).report)).toEqual(expect.arrayContaining(["checkpoint.signature_invalid"]));
    const removed = tampered(log, (lines) => lines.filter((l) => !l.includes('"sequence":3')));
    expect(reasons((await verify(removed, log.keysFile)).report)).toEqual(["checkpoint.event_missing"]);
  });
});
