/**
 * A bundle's manifest signature fixes the flow's length. The attack it stops:
 * whoever holds a bundle drops the flow's last events and rebuilds a bundle
 * with public keys only (the manifest, flow and run are recomputed from the
 * events), so a second refund at the end disappears and a failing
 * `forbidden` rule passes. A signed manifest lists events.jsonl's SHA-256 and
 * the events' Merkle root under the evidence holder's key: the rebuilt bundle
 * is either unsigned (a warning, a failure under --require-signed) or carries
 * a signature that does not verify.
 */
import { createHash, createPublicKey, sign, verify } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bundleCommand } from "../../src/cli/commands/bundle.js";
import { verifyBundleCommand } from "../../src/cli/commands/verify-bundle.js";
import { runCli } from "../../src/cli/main.js";
import { privateKeyFromSeed } from "../../src/evidence/ed25519.js";
import { parseKeySet } from "../../src/evidence/key-set.js";
import { readBundleFile } from "../../src/policy/bundle/bundle-file.js";
import { createBundle } from "../../src/policy/bundle/create-bundle.js";
import { createProofBundle } from "../../src/policy/bundle/proof-bundle.js";
import { readTar, writeTar } from "../../src/policy/bundle/tar.js";
import { verifyBundleMembers } from "../../src/policy/bundle/verify-bundle.js";
import { bundleEvidence } from "../../src/policy/check-evidence.js";
import type { EventRecordV1 } from "../../src/policy/flow-builder.js";
import { definePolicy, parsePolicy } from "../../src/policy/load-policy.js";
import { specV1Validator } from "../../src/schema/spec-v1.js";
import { runCommand } from "./support/cli.js";
import { recordSteps } from "./support/record-steps.js";
import { closedLog, INSTANCE, KEY_ID, SEED, signRecords, writeEvidenceDir, writeKeySet } from "./support/signed-evidence.js";

const REFUND = "payments.refund.execute";
const OPS_SEED = Buffer.alloc(32, 9);
const OPS_KEY_ID = "ops:k1";
const ATTACKER_SEED = Buffer.alloc(32, 66);

const POLICY = definePolicy({
  policy_id: "test.refund-once.v1",
  policy_version: 1,
  tenant_id: "acme",
  spec_version: "1.0.0",
  scope: {},
  rules: [
    { id: "refund-executed", category: "required", severity: "high", spec: { action: REFUND, min: 1 } },
    { id: "no-second-refund", category: "forbidden", severity: "high", spec: { action: REFUND, after: REFUND } },
  ],
});

const pem = (seed: Buffer) => privateKeyFromSeed(seed).export({ format: "pem", type: "pkcs8" }) as string;

/** Evidence of one flow: a refund, its ledger entry, then a second refund (the forbidden rule fails). */
function setup(options: { instanceKey?: Buffer } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "bundle-sig-"));
  const evidence = join(dir, "evidence");
  writeEvidenceDir(evidence, closedLog(signRecords(recordSteps("order-9", [{ action: REFUND }, { action: "ledger.refund.record" }, { action: REFUND }]))));
  // Where the evidence exporter keeps the key it signs with when given none.
  if (options.instanceKey !== undefined) writeFileSync(join(evidence, INSTANCE, "signing-key.pem"), pem(options.instanceKey), { mode: 0o600 });
  const policy = join(dir, "policy.json");
  writeFileSync(policy, JSON.stringify(POLICY));
  const keys = writeKeySet(join(dir, "keys.json"));
  return { dir, evidence, policy, keys };
}

async function bundle(s: ReturnType<typeof setup>, out: string, extra: string[] = [], keys = s.keys) {
  const result = await runCommand(bundleCommand, [s.evidence, "--correlation", "order-9", "--policy", s.policy, "--keys", keys, "--out", join(s.dir, out), ...extra]);
  return { ...result, path: result.stdout.match(/^wrote (\S+)/)?.[1] };
}

async function verifyJson(path: string, keys: string, extra: string[] = []) {
  const result = await runCommand(verifyBundleCommand, [path, "--keys", keys, "--json", ...extra]);
  return { code: result.code, report: JSON.parse(result.stdout) };
}

const codes = (report: { findings: Array<{ code: string; severity: string }> }, severity: "fail" | "warn") =>
  report.findings.filter((f) => f.severity === severity).map((f) => f.code);

/** The attacker's bundle: the original's last event dropped, rebuilt with createBundle and the public keys the bundle ships. */
function tailCut(members: Map<string, Buffer>): { members: Map<string, Buffer>; manifest: Record<string, unknown> } {
  const records = members.get("events.jsonl")!.toString().trim().split("\n").map((line) => JSON.parse(line) as EventRecordV1);
  const keys = new Map([...members].filter(([name]) => name.startsWith("keys/")).map(([name, data]) => [name.slice(5, -4), createPublicKey(data.toString())]));
  const policy = parsePolicy(JSON.parse(members.get("policy.json")!.toString()));
  const rebuilt = createBundle({ records: records.slice(0, -1), policy, keys });
  return { members: new Map(rebuilt.members.map((m) => [m.name, Buffer.from(m.data)])), manifest: rebuilt.manifest as unknown as Record<string, unknown> };
}

function withManifest(members: Map<string, Buffer>, manifest: unknown): Map<string, Buffer> {
  return new Map(members).set("manifest.json", Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
}

function writeBundle(dir: string, name: string, members: Map<string, Buffer>): string {
  const path = join(dir, name);
  writeFileSync(path, writeTar([...members].sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, data]) => ({ name: n, data }))));
  return path;
}

/** RFC 8785 for the manifest's values (strings, arrays, objects), written independently of src/evidence/jcs.ts. */
function jcs(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(jcs).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${jcs(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

describe("the tail-cut attack on a signed bundle", () => {
  it("a flow's last event dropped and the bundle rebuilt with public keys only: unsigned, it warns and fails under --require-signed; with the original signature copied, it fails", async () => {
    const s = setup({ instanceKey: SEED });
    const made = await bundle(s, "full.proof.tar");
    expect(made.code).toBe(0);
    const original = await verifyJson(made.path!, s.keys);
    expect(original.code).toBe(0);
    expect(original.report).toMatchObject({ status: "pass", length_attested: true, manifest_signature: { status: "verified", key_id: KEY_ID } });
    expect(original.report.run).toMatchObject({ replay_status: "fail", failing_findings: [expect.objectContaining({ rule_id: "no-second-refund" })] });

    const members = readTar(readFileSync(made.path!));
    const signature = JSON.parse(members.get("manifest.json")!.toString()).signature;
    const cut = tailCut(members);
    expect(cut.members.get("events.jsonl")!.toString().trim().split("\n")).toHaveLength(2);

    // Rebuilt unsigned: every member matches, the second refund is gone and the rule passes; only the missing signature tells.
    const unsigned = writeBundle(s.dir, "cut.proof.tar", cut.members);
    const lenient = await verifyJson(unsigned, s.keys);
    expect(lenient.code).toBe(0);
    expect(lenient.report).toMatchObject({ status: "pass", length_attested: false, manifest_signature: { status: "unsigned" } });
    expect(lenient.report.run.replay_status).toBe("pass");
    expect(codes(lenient.report, "warn")).toContain("bundle.manifest_unsigned");
    const strict = await verifyJson(unsigned, s.keys, ["--require-signed"]);
    expect(strict.code).toBe(1);
    expect(strict.report).toMatchObject({ status: "fail", reason: "bundle.manifest_unsigned", length_attested: false });
    const human = await runCommand(verifyBundleCommand, [unsigned, "--keys", s.keys]);
    expect(human.stdout).toContain("! bundle.manifest_unsigned: the manifest is not signed");

    // Rebuilt with the original signature copied onto the new manifest: it no longer verifies, required or not.
    const resigned = writeBundle(s.dir, "cut-signed.proof.tar", withManifest(cut.members, { ...cut.manifest, signature }));
    for (const extra of [[], ["--require-signed"]]) {
      const forged = await verifyJson(resigned, s.keys, extra);
      expect(forged.code).toBe(1);
      expect(forged.report).toMatchObject({ status: "fail", reason: "bundle.manifest_signature_invalid", length_attested: false, manifest_signature: { status: "invalid", key_id: KEY_ID } });
    }

    // Signed by the attacker's own key under the trusted key id: invalid too.
    const attacker = privateKeyFromSeed(ATTACKER_SEED);
    const { signature: _drop, ...bare } = cut.manifest;
    const digest = createHash("sha256").update(jcs(bare)).digest();
    const own = { alg: "ed25519", key_id: KEY_ID, value: sign(null, digest, attacker).toString("base64") };
    const mine = verifyBundleMembers(withManifest(cut.members, { ...bare, signature: own }), parseKeySet(JSON.parse(readFileSync(s.keys, "utf8"))));
    expect([mine.status, mine.reason]).toEqual(["fail", "bundle.manifest_signature_invalid"]);
  });
});

describe("signing a bundle's manifest", () => {
  it("the instance's own key signs it by default; the bundle verifies and names the key; the signature follows the record rule", async () => {
    const s = setup({ instanceKey: SEED });
    const made = await bundle(s, "signed.proof.tar");
    expect(made.code).toBe(0);
    expect(made.stdout).toContain(`manifest signed by ${KEY_ID} (${join(s.evidence, INSTANCE, "signing-key.pem")}): the bundle attests the flow's length`);
    expect(made.stdout).not.toContain("unsigned");

    const members = await readBundleFile(made.path!);
    const manifest = JSON.parse(members.get("manifest.json")!.toString());
    expect(specV1Validator("bundle-manifest")(manifest)).toEqual([]);
    expect(manifest.signature).toEqual({ alg: "ed25519", key_id: KEY_ID, value: expect.stringMatching(/^[A-Za-z0-9+/]{86}==$/) });
    // Ed25519 over the 32 bytes of SHA-256(JCS(manifest without signature)), as events and checkpoints are signed.
    const { signature, ...bare } = manifest;
    const digest = createHash("sha256").update(jcs(bare), "utf8").digest();
    expect(verify(null, digest, privateKeyFromSeed(SEED), Buffer.from(signature.value, "base64"))).toBe(true);

    const verified = await runCommand(verifyBundleCommand, [made.path!, "--keys", s.keys, "--require-signed"]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain(`signed: manifest signed by trusted key ${KEY_ID}: the flow's length is attested`);
    const { report } = await verifyJson(made.path!, s.keys);
    expect(report).toMatchObject({ status: "pass", length_attested: true, manifest_signature: { status: "verified", key_id: KEY_ID } });
    expect(report.findings).toEqual([]);
  });

  it("a tampered manifest field fails its signature", async () => {
    const s = setup({ instanceKey: SEED });
    const made = await bundle(s, "tamper.proof.tar");
    const members = readTar(readFileSync(made.path!));
    const keys = parseKeySet(JSON.parse(readFileSync(s.keys, "utf8")));
    const manifest = JSON.parse(members.get("manifest.json")!.toString());
    expect(verifyBundleMembers(members, keys).status).toBe("pass");
    const edits: Array<(m: any) => void> = [
      (m) => (m.verification_profile.export_profile = "full"),
      (m) => (m.created_at = "2020-01-01T00:00:00.000Z"),
      (m) => (m.signature.key_id = OPS_KEY_ID),
      // Another first character (a fixed "A" would be no change when the signature starts with one).
      (m) => (m.signature.value = `${m.signature.value.startsWith("A") ? "B" : "A"}${m.signature.value.slice(1)}`),
    ];
    const reasons = edits.map((edit) => {
      const copy = structuredClone(manifest);
      edit(copy);
      return verifyBundleMembers(withManifest(members, copy), keys).reason;
    });
    expect(reasons).toEqual(["bundle.manifest_signature_invalid", "bundle.manifest_signature_invalid", "bundle.manifest_key_untrusted", "bundle.manifest_signature_invalid"]);
    const otherAlg = structuredClone(manifest);
    otherAlg.signature.alg = "rsa-4096";
    const unsupported = verifyBundleMembers(withManifest(members, otherAlg), keys);
    expect([unsupported.reason, unsupported.manifest_signature]).toEqual(["bundle.manifest_signature_unsupported_alg", { status: "invalid", key_id: KEY_ID }]);
    // A signature member that is no { alg, key_id, value } envelope is invalid, not missing, and names no key.
    for (const broken of [null, "signed", { ...manifest.signature, value: 5 }]) {
      const copy = structuredClone(manifest);
      copy.signature = broken;
      const result = verifyBundleMembers(withManifest(members, copy), keys);
      expect(result.manifest_signature).toEqual({ status: "invalid" });
      expect(result.findings).toContainEqual({ code: "bundle.manifest_signature_invalid", severity: "fail", detail: "the manifest's signature is not { alg, key_id, value } strings", member: "manifest.json" });
    }
  });

  it("--signing-key signs with a key of --keys; verified without that key, the signature is untrusted; a key not in --keys is refused (exit 2)", async () => {
    const s = setup();
    const keyFile = join(s.dir, "ops.pem");
    writeFileSync(keyFile, pem(OPS_SEED), { mode: 0o600 });
    const withOps = writeKeySet(join(s.dir, "keys-ops.json"), [[KEY_ID, SEED], [OPS_KEY_ID, OPS_SEED]]);
    const made = await bundle(s, "ops.proof.tar", ["--signing-key", keyFile], withOps);
    expect(made.code).toBe(0);
    expect(made.stdout).toContain(`manifest signed by ${OPS_KEY_ID}: the bundle attests the flow's length`);
    expect((await verifyJson(made.path!, withOps)).report).toMatchObject({ status: "pass", length_attested: true, manifest_signature: { key_id: OPS_KEY_ID } });

    // A verifier who does not trust ops:k1: the key shipped in keys/ is not used.
    const untrusted = await verifyJson(made.path!, s.keys);
    expect(untrusted.code).toBe(1);
    expect(untrusted.report).toMatchObject({ status: "fail", reason: "bundle.manifest_key_untrusted", length_attested: false, manifest_signature: { status: "invalid", key_id: OPS_KEY_ID } });
    expect(codes(untrusted.report, "warn")).toContain("bundle.key_untrusted");

    const refused = await bundle(s, "refused.proof.tar", ["--signing-key", keyFile]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`the public key of --signing-key ${keyFile} is not in --keys ${s.keys}`);
    const notAKey = join(s.dir, "garbage.pem");
    writeFileSync(notAKey, "not a key");
    const garbage = await bundle(s, "garbage.proof.tar", ["--signing-key", notAKey]);
    expect([garbage.code, garbage.stderr]).toEqual([2, `${notAKey}: not a PEM private key\n`]);
  });

  it("without a key, the bundle is written unsigned and says so; it verifies with a warning, and fails under --require-signed", async () => {
    for (const instanceKey of [undefined, ATTACKER_SEED]) {
      const s = setup(instanceKey === undefined ? {} : { instanceKey });
      const made = await bundle(s, "plain.proof.tar");
      expect(made.code).toBe(0);
      const line = made.stdout.split("\n").find((l) => l.startsWith("unsigned bundle:"));
      expect(line).toMatch(/^unsigned bundle: its completeness is not attested \(events after the last could be dropped\); .*; sign it with --signing-key <pem file>$/);
      expect(line).toContain(instanceKey === undefined ? "no " : `is not the key ${KEY_ID} that signs the flow's events`);

      const lenient = await runCommand(verifyBundleCommand, [made.path!, "--keys", s.keys]);
      expect(lenient.code).toBe(0);
      expect(lenient.stdout).toContain("✓ pass: bundle.verify_pass");
      expect(lenient.stdout).toContain("! bundle.manifest_unsigned");
      const { report } = await verifyJson(made.path!, s.keys);
      expect(report).toMatchObject({ length_attested: false, manifest_signature: { status: "unsigned" } });
      expect(report.findings).toEqual([expect.objectContaining({ code: "bundle.manifest_unsigned", severity: "warn" })]);
      expect((await verifyJson(made.path!, s.keys, ["--require-signed"])).code).toBe(1);
    }
  });

  it("the top-level CLI routes --require-signed to bundles and refuses it for a log; --json bundle output names the signer", async () => {
    const s = setup();
    const made = await bundle(s, "route.proof.tar", ["--json"]);
    const output = JSON.parse(made.stdout);
    expect(output).toMatchObject({ signed_by: null, unsigned_reason: expect.stringContaining("no signing key was given") });
    const quiet = { stdout: { write: () => true }, stderr: { write: () => true } };
    expect(await runCli(["verify", output.path, "--keys", s.keys], quiet)).toBe(0);
    expect(await runCli(["verify", output.path, "--keys", s.keys, "--require-signed"], quiet)).toBe(1);
    expect(await runCli(["verify", s.evidence, "--keys", s.keys, "--require-signed"], quiet)).toBe(2);

    const keyFile = join(s.dir, "k.pem");
    writeFileSync(keyFile, pem(SEED));
    const signed = JSON.parse((await bundle(s, "route-signed.proof.tar", ["--json", "--signing-key", keyFile])).stdout);
    expect(signed).toMatchObject({ signed_by: KEY_ID, manifest: { signature: { key_id: KEY_ID } } });
    expect(await runCli(["verify", signed.path, "--keys", s.keys, "--require-signed"], quiet)).toBe(0);
  });

  it("the library: createProofBundle and bundleEvidence take signingKey; a key outside `keys` is refused", async () => {
    const s = setup({ instanceKey: SEED });
    const keys = parseKeySet(JSON.parse(readFileSync(s.keys, "utf8")));
    const byDefault = await bundleEvidence(s.evidence, { correlationId: "order-9", policy: POLICY, keys, compress: false });
    expect(byDefault.signing).toEqual({ signed: true, keyId: KEY_ID, keyFile: join(s.evidence, INSTANCE, "signing-key.pem") });
    const off = await bundleEvidence(s.evidence, { correlationId: "order-9", policy: POLICY, keys, compress: false, signingKey: false });
    expect(off.signing).toMatchObject({ signed: false });
    expect(off.bundle!.manifest.signature).toBeUndefined();
    const explicit = await bundleEvidence(s.evidence, { correlationId: "order-9", policy: POLICY, keys, compress: false, signingKey: privateKeyFromSeed(SEED) });
    expect(explicit.signing).toEqual({ signed: true, keyId: KEY_ID });
    await expect(bundleEvidence(s.evidence, { correlationId: "order-9", policy: POLICY, keys, signingKey: privateKeyFromSeed(OPS_SEED) })).rejects.toThrow(TypeError);

    const records = signRecords(recordSteps("order-1", [{ action: REFUND }])) as unknown as EventRecordV1[];
    const made = createProofBundle({ records, policy: POLICY, keys, signingKey: privateKeyFromSeed(SEED) }, { compress: false });
    expect(made.manifest.signature?.key_id).toBe(KEY_ID);
    expect(verifyBundleMembers(readTar(made.bytes), keys, { requireSigned: true })).toMatchObject({ status: "pass", length_attested: true });
    expect(() => createProofBundle({ records, policy: POLICY, keys, signingKey: privateKeyFromSeed(ATTACKER_SEED) })).toThrow(/not among `keys`/);
    expect(() => createProofBundle({ records, policy: POLICY, keys, signingKey: createPublicKey(privateKeyFromSeed(SEED)) })).toThrow(/Ed25519 private key/);
  });
});
