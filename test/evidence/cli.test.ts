/** `intentproof keys export` and `intentproof verify`: in-process through runCli, and through the built bin. */
import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { evidenceClient, tempDir } from "./support/evidence-fixture.js";
import { REPO_ROOT } from "./support/child-writer.js";
import { buildLog, reasons, tampered, eventLines, verify, type BuiltLog } from "./support/tamper.js";

const run = promisify(execFile);
const BIN = join(REPO_ROOT, "dist", "cli.js");

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

async function bin(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd: REPO_ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let log: BuiltLog;
beforeAll(async () => {
  log = await buildLog();
});

describe("intentproof keys export", () => {
  it("prints every public key of the directory as a key set", async () => {
    const { code, stdout } = await cli(["keys", "export", log.directory]);
    expect(code).toBe(0);
    const set = JSON.parse(stdout) as { keys: { key_id: string; alg: string; public_key: string }[] };
    expect(set.keys).toHaveLength(1);
    expect(set.keys[0]).toMatchObject({ alg: "ed25519", key_id: expect.stringMatching(/^inst_[0-9a-f]{16}:k1$/) });
    expect(Buffer.from(set.keys[0]!.public_key, "base64")).toHaveLength(32);
    expect(stdout).not.toContain("PRIVATE");
  });

  it("exits 2 on a directory without evidence or a bad usage", async () => {
    expect((await cli(["keys", "export", tempDir()])).code).toBe(2);
    expect((await cli(["keys"])).code).toBe(2);
    expect((await cli(["keys", "import", log.directory])).code).toBe(2);
  });

  it("keeps old records verifiable after a key rotation", async () => {
    const directory = tempDir();
    const first = evidenceClient({ directory, instanceId: "inst_rot" });
    first.client.withCorrelation("c1", () => first.client.wrap({ intent: "A", action: "a" }, () => 1)());
    await first.client.shutdown();
    const { privateKey } = generateKeyPairSync("ed25519");
    const second = evidenceClient({ directory, instanceId: "inst_rot", signingKey: privateKey, keyId: "inst_rot:k2" });
    second.client.withCorrelation("c1", () => second.client.wrap({ intent: "A", action: "a" }, () => 2)());
    await second.client.shutdown();
    expect([...first.errors, ...second.errors]).toEqual([]);
    const exported = JSON.parse((await cli(["keys", "export", directory])).stdout) as { keys: { key_id: string }[] };
    expect(exported.keys.map((k) => k.key_id)).toEqual(["inst_rot:k1", "inst_rot:k2"]);
    const keysFile = join(tempDir(), "keys.json");
    writeFileSync(keysFile, JSON.stringify(exported));
    expect((await verify(directory, keysFile)).report).toMatchObject({ status: "pass", events: 2, chains: 1 });
    // Only the new key: the old records are flagged, not silently accepted.
    const onlyNew = join(tempDir(), "new.json");
    writeFileSync(onlyNew, JSON.stringify({ keys: exported.keys.filter((k) => k.key_id.endsWith(":k2")) }));
    expect(reasons((await verify(directory, onlyNew)).report)).toEqual(["checkpoint.key_unknown", "signature.key_unknown"]);
    // Reusing a key id for another key is refused at start, never signed under the old id.
    const reuse = evidenceClient({ directory, instanceId: "inst_rot", signingKey: generateKeyPairSync("ed25519").privateKey, keyId: "inst_rot:k2" });
    await expect(reuse.evidence.ready()).rejects.toThrow(/already names another public key/);
  });
});

describe("intentproof verify (in-process)", () => {
  it("prints a human summary by default and exits 0 on pass", async () => {
    const { code, stdout } = await cli(["verify", log.directory, "--keys", log.keysFile]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^✓ pass: .* \(28 events, 4 chains, 5 checkpoints\)\n$/);
  });

  it("lists findings with reasons and exits 1 on fail", async () => {
    const copy = tampered(log, (lines) => {
      lines.splice(eventLines(lines)[3]!, 1);
      return lines;
    });
    const { code, stdout } = await cli(["verify", copy, "--keys", log.keysFile]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^✗ fail: /);
    expect(stdout).toMatch(/✗ chain\.gap \(correlation order-a\): positions 2 of 8 are missing/);
  });

  it("verifies a single .jsonl file", async () => {
    const { segmentOf } = await import("./support/tamper.js");
    const { code, stdout } = await cli(["verify", segmentOf(log.directory), "--keys", log.keysFile, "--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ status: "pass", events: 28 });
  });

  it("exits 2 on unusable input or arguments, and never falls back to keys found beside the data", async () => {
    expect((await cli(["verify", log.directory])).code).toBe(2); // --keys is required
    expect((await cli(["verify", "--keys", log.keysFile])).code).toBe(2);
    expect((await cli(["verify", join(tempDir(), "missing"), "--keys", log.keysFile])).code).toBe(2);
    expect((await cli(["verify", log.directory, "--keys", log.keysFile, "--bogus"])).code).toBe(2);
    const badKeys = join(tempDir(), "bad.json");
    writeFileSync(badKeys, JSON.stringify({ keys: [{ key_id: "x", alg: "rsa", public_key: "AA==" }] }));
    const bad = await cli(["verify", log.directory, "--keys", badKeys]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('keys[0].alg must be "ed25519"');
    // A key set that does not hold the writer's key: everything is flagged, nothing trusted from identity.json.
    const stranger = join(tempDir(), "stranger.json");
    const raw = generateKeyPairSync("ed25519").publicKey.export({ format: "der", type: "spki" }).subarray(12).toString("base64");
    writeFileSync(stranger, JSON.stringify({ keys: [{ key_id: "someone:k1", alg: "ed25519", public_key: raw }] }));
    const result = await verify(log.directory, stranger);
    expect(result.code).toBe(1);
    expect(reasons(result.report)).toEqual(["checkpoint.key_unknown", "signature.key_unknown"]);
  });

  it("hands bundles to the bundle verifier", async () => {
    const { code, stderr } = await cli(["verify", join(tempDir(), "flow.proof.tar.zst"), "--keys", log.keysFile]);
    expect(code).toBe(2);
    expect(stderr).toContain("bundle");
  });
});

describe("intentproof bin (built)", () => {
  beforeAll(() => {
    if (!existsSync(BIN)) throw new Error("run `npm run build` first: these tests run dist/cli.js");
  });

  it("exports keys and verifies a log through node dist/cli.js", async () => {
    const keys = await bin(["keys", "export", log.directory]);
    expect(keys.code).toBe(0);
    const keysFile = join(tempDir(), "keys.json");
    writeFileSync(keysFile, keys.stdout);
    const pass = await bin(["verify", log.directory, "--keys", keysFile, "--json"]);
    expect(pass.code).toBe(0);
    expect(JSON.parse(pass.stdout)).toMatchObject({ status: "pass", events: 28, chains: 4, checkpoints: 5, findings: [] });
    const copy = tampered(log, (lines) => lines.filter((l) => !l.includes('"correlation_id":"order-b"')));
    const fail = await bin(["verify", copy, "--keys", keysFile, "--json"]);
    expect(fail.code).toBe(1);
    expect(JSON.parse(fail.stdout).findings[0]).toMatchObject({ reason: "checkpoint.event_missing" });
    expect((await bin(["verify", log.directory])).code).toBe(2);
  });
});
