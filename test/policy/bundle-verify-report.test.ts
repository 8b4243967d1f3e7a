/**
 * What bundle verification reports beyond pass/fail, and what it refuses
 * without crashing: the verified flow is named (flow, tenant, correlation,
 * event count, when it was bundled); every JSON member is held to the
 * writer's exact text, as event lines are (JSON.parse keeps the last of two
 * members with one name, so a duplicated one would show a reader a value
 * other than the verified one); and malformed members are findings (exit 1),
 * never a thrown error.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { verifyBundleCommand } from "../../src/cli/commands/verify-bundle.js";
import { verifyBundleMembers } from "../../src/policy/bundle/verify-bundle.js";
import { verifyBundleFile } from "../../src/policy/bundle/verify-bundle-file.js";
import { runCommand } from "./support/cli.js";
import { archive, saveFile, signedBundle, withMember, type SignedBundle } from "./support/signed-bundle.js";

let bundle: SignedBundle;
let manifest: { flow_id: string; created_at: string };

beforeAll(async () => {
  bundle = await signedBundle("order-7");
  manifest = JSON.parse(bundle.members.get("manifest.json")!.toString());
});

const failures = (members: Map<string, Buffer>) =>
  verifyBundleMembers(members, bundle.trusted)
    .findings.filter((f) => f.severity === "fail")
    .map((f) => f.code);

/** Inserts `"name": value,` as the first member of a JSON document, so that the original (last) one is the one JSON.parse keeps. */
const duplicateFirst = (text: string, name: string, value: unknown) => text.replace("{\n", `{\n  ${JSON.stringify(name)}: ${JSON.stringify(value)},\n`);

describe("verify names the flow it verified", () => {
  it("--json gives flow { flow_id, tenant_id, correlation_id, events, created_at }; the human output a flow line", async () => {
    const json = await runCommand(verifyBundleCommand, [bundle.path, "--keys", bundle.keys, "--require-signed", "--json"]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).flow).toEqual({ flow_id: manifest.flow_id, tenant_id: "acme", correlation_id: "order-7", events: 3, created_at: manifest.created_at });
    const human = await runCommand(verifyBundleCommand, [bundle.path, "--keys", bundle.keys, "--require-signed"]);
    expect(human.stdout.split("\n").slice(0, 2)).toEqual([
      `✓ pass: bundle.verify_pass  ${bundle.path}`,
      `  flow: ${manifest.flow_id} of tenant acme (3 events, correlation order-7), bundled ${manifest.created_at}`,
    ]);
  });

  it("a manifest naming another flow than its events fails (bundle.manifest_flow_mismatch)", () => {
    const text = bundle.members.get("manifest.json")!.toString().replace(manifest.flow_id, "flow_someone_else");
    const { signature: _signature, ...unsigned } = JSON.parse(text);
    expect(failures(withMember(bundle.members, "manifest.json", `${JSON.stringify(unsigned, null, 2)}\n`))).toEqual(["bundle.manifest_flow_mismatch"]);
  });
});

describe("every JSON member is the writer's exact text", () => {
  it("a signed manifest with a duplicated created_at (shown first to a reader) fails: bundle.manifest_not_canonical", () => {
    const text = duplicateFirst(bundle.members.get("manifest.json")!.toString(), "created_at", "2031-01-01T00:00:00.000Z");
    const result = verifyBundleMembers(withMember(bundle.members, "manifest.json", text), bundle.trusted, { requireSigned: true });
    // JSON.parse keeps the signed value, so the signature holds: only the text tells.
    expect(result).toMatchObject({ status: "fail", reason: "bundle.manifest_not_canonical", length_attested: false, manifest_signature: { status: "verified" } });
    expect(result.findings.map((f) => f.code)).toEqual(["bundle.manifest_not_canonical"]);
  });

  it("flow.json, policy.json and run.json with a duplicated member, re-hashed: bundle.member_not_canonical", () => {
    const dup = (name: string, member: string, value: unknown) => withMember(bundle.members, name, duplicateFirst(bundle.members.get(name)!.toString(), member, value));
    expect(failures(dup("flow.json", "correlation_id", "order-8"))).toEqual(["bundle.member_not_canonical"]);
    expect(failures(dup("policy.json", "policy_id", "the.agreed.policy"))).toEqual(["bundle.member_not_canonical"]);
    expect(failures(dup("run.json", "status", "pass"))).toEqual(["bundle.member_not_canonical"]);
  });

  it("attestations.jsonl and events.jsonl: a blank line the writer never writes fails too", () => {
    const events = bundle.members.get("events.jsonl")!.toString();
    expect(failures(withMember(bundle.members, "events.jsonl", events.replace("\n", "\n\n")))).toEqual(["bundle.member_not_canonical"]);
    expect(failures(withMember(bundle.members, "attestations.jsonl", "\n"))).toEqual(["bundle.member_not_canonical"]);
  });
});

describe("malformed members are findings, never a crash", () => {
  // As the auditor made them: the member replaced, the manifest left as it was.
  const cases: Array<[string, string, string, string]> = [
    ["manifest.json is null", "manifest.json", "null", "bundle.manifest_unreadable"],
    ["an event_id that is an object", "events.jsonl", '{"event_id":{"toString":1}}\n', "schema.invalid"],
    ["an attestation line {}", "attestations.jsonl", "{}\n", "attestation.schema_invalid"],
  ];

  for (const [what, name, text, code] of cases) {
    it(`${what}: ${code}, exit 1 in human and --json output, and verifyBundleFile resolves`, async () => {
      const members = new Map(bundle.members).set(name, Buffer.from(text));
      expect(failures(members)).toContain(code);
      const path = saveFile(bundle.dir, "crash.proof.tar", archive(members));
      for (const extra of [[], ["--json"]]) {
        const result = await runCommand(verifyBundleCommand, [path, "--keys", bundle.keys, ...extra]);
        expect([result.code, result.stderr]).toEqual([1, ""]);
      }
      await expect(verifyBundleFile(path, bundle.keys)).resolves.toMatchObject({ status: "fail" });
    });
  }
});
