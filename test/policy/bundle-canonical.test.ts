/**
 * A bundle's events.jsonl is held to the log's rule: each line is the
 * writer's exact text for its record (canonical JSON, `signature` last). The
 * bundle writes its events that way, whatever order the records' members are
 * in, and a line that reads otherwise than it parses fails, even with the
 * manifest re-hashed (the bundle is made unsigned here, as anyone holding the
 * public keys can re-make one; a signed manifest would also fail).
 */
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { parseKeySet } from "../../src/evidence/key-set.js";
import { exportPublicKeys } from "../../src/evidence/public-keys.js";
import { readTar } from "../../src/policy/bundle/tar.js";
import { verifyBundleMembers } from "../../src/policy/bundle/verify-bundle.js";
import { bundleEvidence } from "../../src/policy/check-evidence.js";
import { loadPolicyFile } from "../../src/policy/load-policy.js";
import type { TrustedKeys } from "../../src/policy/evidence-input/trusted-keys.js";
import { evidenceClient, tempDir } from "../evidence/support/evidence-fixture.js";

const POLICY = new URL("../../spec-v1/reference-policies/payments/refund-with-notification/v1/policy.json", import.meta.url).pathname;

let members: Map<string, Buffer>;
let keys: TrustedKeys;

beforeAll(async () => {
  const directory = tempDir("file");
  const { client, errors } = evidenceClient({ directory, tenantId: "acme" });
  const step = (action: string) => client.wrap({ intent: action, action }, (detail: unknown) => detail);
  await client.withCorrelation("order-7", async () => {
    // Digit member names: V8 enumerates "9" before "10", JCS orders "10" first.
    await step("payments.refund.execute")({ amountCents: 500, lines: { "10": "ten", "9": "nine", "-x": "dash" } });
    await step("ledger.refund.record")({ amountCents: 500 });
    await step("customer.notify.refund")({ channel: "e-mail ✉" });
  });
  await client.shutdown();
  expect(errors).toEqual([]);
  const keySet = await exportPublicKeys(directory);
  keys = parseKeySet(keySet);
  const made = await bundleEvidence(directory, { correlationId: "order-7", policy: await loadPolicyFile(POLICY), keys: keySet, compress: false, signingKey: false });
  expect(made.integrity).toBeUndefined();
  members = readTar(made.bundle!.bytes);
});

/** A copy of the bundle with events.jsonl changed and its manifest hash updated to match (the manifest written as the bundle writer writes it). */
function withEvents(change: (text: string) => string): Map<string, Buffer> {
  const copy = new Map(members);
  const events = Buffer.from(change(copy.get("events.jsonl")!.toString()));
  copy.set("events.jsonl", events);
  const manifest = JSON.parse(copy.get("manifest.json")!.toString()) as { files: Array<{ path: string; sha256: string }> };
  for (const file of manifest.files) if (file.path === "events.jsonl") file.sha256 = `sha256:${createHash("sha256").update(events).digest("hex")}`;
  copy.set("manifest.json", Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
  return copy;
}

const failures = (m: Map<string, Buffer>) => verifyBundleMembers(m, keys).findings.filter((f) => f.severity === "fail").map((f) => f.code);

describe("a bundle's events are its log's lines", () => {
  it("writes each event as its log line, so a bundle of awkward payloads verifies", () => {
    expect(members.get("events.jsonl")!.toString()).toContain('"lines":{"-x":"dash","10":"ten","9":"nine"}');
    expect(verifyBundleMembers(members, keys)).toMatchObject({ status: "pass", reason: "bundle.verify_pass" });
  });

  it("fails an events.jsonl line with a duplicated member name, manifest re-hashed or not", () => {
    const forged = withEvents((text) => text.replace('{"action":"payments.refund.execute"', '{"output":{"amountCents":500000},"action":"payments.refund.execute"'));
    expect(forged.get("events.jsonl")!.toString()).toContain("500000");
    expect(failures(forged)).toEqual(["record.not_canonical"]);
  });

  it("fails a line re-serialized in another member order", () => {
    const reordered = withEvents((text) =>
      text
        .split("\n")
        .map((line) => (line === "" ? line : JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(line) as object).reverse()))))
        .join("\n"),
    );
    expect(failures(reordered)).toEqual(["record.not_canonical", "record.not_canonical", "record.not_canonical"]); // one per event
  });
});
