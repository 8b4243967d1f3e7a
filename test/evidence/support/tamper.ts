/** Builds a real evidence log and copies of it with one tampering each, for the verifier tests. */
import { cpSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateKeyPairSync } from "node:crypto";
import { runCli } from "../../../src/cli/main.js";
import type { CheckpointRecord } from "../../../src/evidence/checkpoint.js";
import { signEd25519 } from "../../../src/evidence/ed25519.js";
import { eventDigest } from "../../../src/evidence/event-hash.js";
import { exportPublicKeys } from "../../../src/evidence/public-keys.js";
import type { VerifyReport } from "../../../src/evidence/verify/findings.js";
import { evidenceClient, tempDir } from "./evidence-fixture.js";

export interface BuiltLog {
  directory: string;
  keysFile: string;
  checkpoints: CheckpointRecord[];
}

/** 3 correlations × 8 calls interleaved, then 4 uncorrelated-by-design calls; a checkpoint every 7 events. */
export async function buildLog(): Promise<BuiltLog> {
  const directory = tempDir("file");
  const checkpoints: CheckpointRecord[] = [];
  const { client, errors } = evidenceClient({ directory, checkpointEvery: 7, onCheckpoint: (c) => void checkpoints.push(c) });
  const pay = client.wrap({ intent: "Pay", action: "payments.capture" }, (amount: number) => ({ captured: amount }));
  for (let i = 0; i < 8; i++) {
    for (const order of ["order-a", "order-b", "order-c"]) client.withCorrelation(order, () => pay(i));
  }
  for (let i = 0; i < 4; i++) client.withCorrelation("order-d", () => pay(100 + i));
  await client.shutdown();
  if (errors.length > 0) throw new Error(`building the log reported: ${errors.map((e) => e.message).join("; ")}`);
  const keysFile = join(tempDir("file"), "keys.json");
  writeFileSync(keysFile, JSON.stringify(await exportPublicKeys(directory)));
  return { directory, keysFile, checkpoints };
}

/** The one segment file of the one instance in a log directory. */
export function segmentOf(directory: string): string {
  const instance = readdirSync(directory, { withFileTypes: true }).find((e) => e.isDirectory())!.name;
  const segment = readdirSync(join(directory, instance)).find((n) => /^events-\d+\.jsonl$/.test(n))!;
  return join(directory, instance, segment);
}

/** A copy of the log with its segment's lines rewritten by `edit`. */
export function tampered(log: BuiltLog, edit: (lines: string[]) => string[]): string {
  const copy = tempDir();
  cpSync(log.directory, copy, { recursive: true });
  const file = segmentOf(copy);
  const lines = readFileSync(file, "utf8").split("\n").filter((l) => l !== "");
  writeFileSync(file, edit(lines).map((l) => l + "\n").join(""));
  return copy;
}

/** Indexes of event lines (not checkpoints). */
export function eventLines(lines: string[]): number[] {
  return lines.flatMap((l, i) => ((JSON.parse(l) as { schema: string }).schema === "intentproof.event.v1" ? [i] : []));
}

/** A record signed by a key the verifier does not trust. */
export function forge(line: string): string {
  const record = JSON.parse(line) as Record<string, unknown>;
  const { privateKey } = generateKeyPairSync("ed25519");
  record.event_id = "forged-0001";
  record.output = { captured: 1_000_000 };
  delete record.signature;
  record.signature = { alg: "ed25519", key_id: "attacker:k1", value: signEd25519(eventDigest(record), privateKey) };
  return JSON.stringify(record);
}

/** Runs `intentproof verify … --json` in-process. */
export async function verify(target: string, keysFile: string, extra: string[] = []): Promise<{ code: number; report: VerifyReport; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(["verify", target, "--keys", keysFile, "--json", ...extra], {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
  });
  return { code, report: (stdout === "" ? undefined : JSON.parse(stdout)) as VerifyReport, stderr };
}

export function reasons(report: VerifyReport): string[] {
  return [...new Set(report.findings.map((f) => f.reason))].sort();
}
