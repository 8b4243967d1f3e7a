/**
 * A signed proof bundle of one flow (a refund, its ledger entry, a
 * notification), written as a plain `.proof.tar` with the trusted key set
 * beside it; and the pieces to craft tar archives the bundle writer never
 * writes (other entry types, pax headers, data after the end).
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { privateKeyFromSeed } from "../../../src/evidence/ed25519.js";
import { parseKeySet } from "../../../src/evidence/key-set.js";
import { readTar, writeTar } from "../../../src/policy/bundle/tar.js";
import { bundleEvidence } from "../../../src/policy/check-evidence.js";
import type { TrustedKeys } from "../../../src/policy/evidence-input/trusted-keys.js";
import { definePolicy } from "../../../src/policy/load-policy.js";
import { recordSteps } from "./record-steps.js";
import { SEED, signRecords, writeEvidenceDir, writeKeySet } from "./signed-evidence.js";

export const REFUND_POLICY = definePolicy({
  policy_id: "test.refund-notified.v1",
  policy_version: 1,
  tenant_id: "acme",
  spec_version: "1.0.0",
  scope: {},
  rules: [{ id: "notified", category: "required", severity: "high", spec: { action: "customer.notify.refund" } }],
});

export interface SignedBundle {
  readonly dir: string;
  /** The bundle file (a plain tar). */
  readonly path: string;
  /** The key-set file, and the same keys as a map. */
  readonly keys: string;
  readonly trusted: TrustedKeys;
  readonly members: Map<string, Buffer>;
  /** The evidence directory the bundle was made from. */
  readonly evidence: string;
}

export async function signedBundle(correlationId = "order-7", steps = ["payments.refund.execute", "ledger.refund.record", "customer.notify.refund"]): Promise<SignedBundle> {
  const dir = mkdtempSync(join(tmpdir(), "signed-bundle-"));
  const evidence = writeEvidenceDir(join(dir, "evidence"), signRecords(recordSteps(correlationId, steps.map((action) => ({ action })))));
  const keys = writeKeySet(join(dir, "keys.json"));
  const trusted = parseKeySet(JSON.parse(readFileSync(keys, "utf8")));
  const made = await bundleEvidence(evidence, { correlationId, policy: REFUND_POLICY, keys: trusted, compress: false, signingKey: privateKeyFromSeed(SEED) });
  if (made.bundle === undefined) throw new Error("test evidence does not verify");
  const path = join(dir, "flow.proof.tar");
  writeFileSync(path, made.bundle.bytes);
  return { dir, path, keys, trusted, members: readTar(made.bundle.bytes), evidence };
}

/** The members as the bundle writer archives them (sorted). */
export function archive(members: ReadonlyMap<string, Buffer>): Buffer {
  return writeTar([...members].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, data]) => ({ name, data })));
}

/** The members with one changed and, when the manifest is not the one changed, its hash in the manifest updated and the signature dropped (as anyone holding the bundle can). */
export function withMember(members: ReadonlyMap<string, Buffer>, name: string, data: string | Buffer): Map<string, Buffer> {
  const copy = new Map(members).set(name, Buffer.from(data));
  if (name === "manifest.json") return copy;
  const manifest = JSON.parse(copy.get("manifest.json")!.toString());
  delete manifest.signature;
  for (const file of manifest.files) if (file.path === name) file.sha256 = `sha256:${createHash("sha256").update(copy.get(name)!).digest("hex")}`;
  return copy.set("manifest.json", Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
}

/** One ustar header of any type, as other tar writers write them. */
export function tarHeader(name: string, size: number, type: string, magic = "ustar\u000000"): Buffer {
  const block = Buffer.alloc(512);
  block.write(name, 0);
  block.write("0000644\0", 100);
  block.write("0000000\0", 108);
  block.write("0000000\0", 116);
  block.write(`${size.toString(8).padStart(11, "0")}\0`, 124);
  block.write("00000000000\0", 136);
  block.fill(0x20, 148, 156);
  block.write(type, 156);
  block.write(magic, 257, "latin1");
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  return block;
}

/** One entry: its header, its data, its padding. */
export function tarEntry(name: string, data: Buffer, type = "0", magic?: string): Buffer {
  return Buffer.concat([tarHeader(name, data.length, type, magic), data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

/** Writes `data` as `dir/name` and returns the path. */
export function saveFile(dir: string, name: string, data: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
}
