/**
 * What the CLI prints of its input cannot act on the terminal or the reader:
 * strings from a bundle, evidence or a policy have their control characters,
 * line separators and bidirectional overrides escaped in the human output
 * (a crafted policy_id cannot clear the screen and print a fake "✓ pass"),
 * a line that is not JSON is never quoted (a private key given by mistake
 * stays out of the findings), and a reader closing the pipe early (`| head`)
 * does not crash the command.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { checkCommand } from "../../src/cli/commands/check.js";
import { verifyBundleCommand } from "../../src/cli/commands/verify-bundle.js";
import { processIo } from "../../src/cli/io.js";
import { runCli } from "../../src/cli/main.js";
import { jsonText, printable } from "../../src/cli/printable.js";
import { privateKeyFromSeed } from "../../src/evidence/ed25519.js";
import { createProofBundle } from "../../src/policy/bundle/proof-bundle.js";
import type { EventRecordV1 } from "../../src/policy/flow-builder.js";
import { definePolicy } from "../../src/policy/load-policy.js";
import { runCommand } from "./support/cli.js";
import { recordSteps } from "./support/record-steps.js";
import { REFUND_POLICY, signedBundle } from "./support/signed-bundle.js";
import { signRecords, writeEvidenceDir, writeKeySet } from "./support/signed-evidence.js";

const UNSAFE = ["\u0000", "\u0007", "\n", "\r", "\u001b", "\u007f", "\u0085", "\u009b", "\u2028", "\u2029", "\u202a", "\u202e", "\u2066", "\u2069", "\u200f", "\u061c"];
/** Any character a terminal acts on, except the line feeds the printers write themselves. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** A policy_id that, printed raw, clears the screen and fakes a signed, passing verdict. */
const FAKE = "\u001b[H\u001b[2J✓ pass: bundle.verify_pass  agreed.proof.tar\n  signed: manifest signed by trusted key inst-test:k1\n\u001b[8m";

function dir() {
  return mkdtempSync(join(tmpdir(), "cli-safety-"));
}

describe("printable", () => {
  it("escapes C0, DEL, C1, U+2028/2029 and bidirectional controls, and nothing else", () => {
    for (const char of UNSAFE) expect(printable(`a${char}b`)).toBe(`a\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}b`);
    expect(printable("order-7 é ✓ 🧾 \\u001b")).toBe("order-7 é ✓ 🧾 \\u001b");
    expect(printable(3)).toBe("3");
  });

  it("jsonText is the same JSON value with no raw control character", () => {
    const value = { id: UNSAFE.join("") };
    const text = jsonText(value);
    expect(JSON.parse(text)).toEqual(value);
    expect(text.slice(0, -1)).not.toMatch(RAW_CONTROL);
  });
});

describe("the human output escapes what it prints from input", () => {
  it("verify <bundle>: a crafted policy_id prints on one line, escaped; --json gives it back exactly", async () => {
    const signed = await signedBundle();
    const records = signed.members.get("events.jsonl")!.toString().trim().split("\n").map((line) => JSON.parse(line) as EventRecordV1);
    const { policy_fingerprint: _fingerprint, ...draft } = REFUND_POLICY;
    const policy = definePolicy({ ...draft, policy_id: FAKE });
    const path = join(signed.dir, "ansi.proof.tar");
    writeFileSync(path, createProofBundle({ records, policy, keys: signed.trusted }, { compress: false }).bytes);

    const human = await runCommand(verifyBundleCommand, [path, "--keys", signed.keys]);
    expect(human.code).toBe(0);
    expect(human.stdout).not.toMatch(RAW_CONTROL);
    const lines = human.stdout.trimEnd().split("\n");
    expect(lines.filter((line) => line.startsWith("✓"))).toEqual([`✓ pass: bundle.verify_pass  ${path}`]);
    expect(lines.some((line) => line.startsWith("  signed:"))).toBe(false);
    expect(lines).toContain(`  policy: ${printable(FAKE)} v1 ${policy.policy_fingerprint}`);
    const json = await runCommand(verifyBundleCommand, [path, "--keys", signed.keys, "--json"]);
    expect(JSON.parse(json.stdout).run.policy.policy_id).toBe(FAKE);
  });

  it("check and verify <evidence>: a crafted policy_id, and a crafted event_id in the evidence, are escaped", async () => {
    const d = dir();
    const records = signRecords(recordSteps("order-1", [{ action: "customer.notify.refund" }]));
    // Edited after signing: verify reports it (signature.invalid) with its event_id.
    const evidence = writeEvidenceDir(join(d, "evidence"), [{ ...records[0]!, event_id: "evt\u001b[2J\n✓ pass" }]);
    const keys = writeKeySet(join(d, "keys.json"));
    const { policy_fingerprint: _fingerprint, ...draft } = REFUND_POLICY;
    writeFileSync(join(d, "policy.json"), JSON.stringify(definePolicy({ ...draft, policy_id: FAKE })));

    const unchecked = await runCommand(checkCommand, ["--policy", join(d, "policy.json"), evidence]);
    expect(unchecked.stdout).toContain(`policy ${printable(FAKE)} v1`);
    const checked = await runCommand(checkCommand, ["--policy", join(d, "policy.json"), evidence, "--keys", keys]);
    const verified = await runCommand((args, io) => runCli(args, io), ["verify", evidence, "--keys", keys]);
    for (const result of [checked, verified]) {
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(printable("evt\u001b[2J\n✓ pass"));
    }
    for (const result of [unchecked, checked, verified]) expect(result.stdout + result.stderr).not.toMatch(RAW_CONTROL);
  });
});

describe("a line that is not JSON is never quoted", () => {
  it("verify <a private key file> names the lines and their length, never their content (human and --json)", async () => {
    const d = dir();
    const pem = privateKeyFromSeed(Buffer.alloc(32, 5)).export({ format: "pem", type: "pkcs8" }) as string;
    const secret = pem.split("\n")[1]!;
    const path = join(d, "signing-key.pem");
    writeFileSync(path, pem);
    const keys = writeKeySet(join(d, "keys.json"));
    for (const extra of [[], ["--json"]]) {
      let stdout = "";
      const code = await runCli(["verify", path, "--keys", keys, ...extra], { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: () => true } });
      expect(code).toBe(1);
      expect(stdout).toContain(`${path}:2 is not JSON (${secret.length} characters)`);
      // Not the key, nor any part of it longer than a few characters.
      for (let at = 0; at + 8 <= secret.length; at++) expect(stdout).not.toContain(secret.slice(at, at + 8));
    }
  });
});

describe("a reader that closes the pipe early", () => {
  it("processIo drops the output after EPIPE and the command still returns its verdict's code", async () => {
    const signed = await signedBundle();
    // stdout as a pipe whose reader has gone: every write fails with EPIPE, as process.stdout's does.
    const pipe = new Writable({
      write: (_chunk, _encoding, callback) => callback(Object.assign(new Error("write EPIPE"), { code: "EPIPE", syscall: "write" })),
    });
    let stderr = "";
    const io = processIo(pipe, { write: (text: string) => (stderr += text) });
    expect(await runCli(["verify", signed.path, "--keys", signed.keys], io)).toBe(0);
    expect(await runCli(["verify", signed.path, "--keys", writeKeySet(join(signed.dir, "none.json"), []), "--json"], io)).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pipe.destroyed).toBe(true); // the EPIPE happened, and was handled
    expect(stderr).toBe("");
  });
});
