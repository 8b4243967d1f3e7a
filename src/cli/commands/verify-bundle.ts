/**
 * `intentproof verify <bundle.proof.tar[.zst]> --keys <keys.json> [--policy <expected policy file>] [--require-signed] [--json]`
 * (routed here by the verify command for bundle files).
 *
 * Integrity against the GIVEN keys (the manifest's signature included: an
 * unsigned manifest is a warning, a failure with --require-signed), then a
 * fresh policy replay compared with the bundled run. Exit 0 when the bundle
 * verifies (whatever the flow's own run status, which is printed), 1 when it
 * does not, 2 unusable input (unreadable file, no zstd in this runtime for a
 * .zst bundle, bad key set).
 */
import { readBundleFile } from "../../policy/bundle/bundle-file.js";
import { ZstdUnavailableError } from "../../policy/bundle/compression.js";
import { TarError } from "../../policy/bundle/tar.js";
import { verifyBundleMembers, type BundleVerification } from "../../policy/bundle/verify-bundle.js";
import { parseCommandArgs, policyFromFile, UsageError, withUsageErrors } from "../../policy/cli-support.js";
import { loadTrustedKeys } from "../../policy/evidence-input/trusted-keys.js";
import type { CliIo } from "../io.js";
import { EXIT_FAIL, EXIT_PASS, EXIT_USAGE } from "../io.js";

const USAGE = "usage: intentproof verify <bundle.proof.tar[.zst]> --keys <keys.json> [--policy <expected policy file>] [--require-signed] [--json]";

function printHuman(io: CliIo, path: string, result: BundleVerification): void {
  io.stdout.write(result.status === "pass" ? `✓ pass: bundle.verify_pass  ${path}\n` : `✗ fail: ${result.reason}  ${path}\n`);
  for (const finding of result.findings) {
    io.stdout.write(`    ${finding.severity === "fail" ? "✗" : "!"} ${finding.code}${finding.event_id ? ` ${finding.event_id}` : ""}: ${finding.detail}\n`);
  }
  if (result.length_attested) {
    io.stdout.write(`  signed: manifest signed by trusted key ${result.manifest_signature.key_id}: the flow's length is attested (as its signer bundled it)\n`);
  }
  const { run } = result;
  if (run.policy !== undefined) io.stdout.write(`  policy: ${run.policy.policy_id} v${run.policy.policy_version} ${run.policy.policy_fingerprint}\n`);
  if (run.replay_status !== undefined) {
    io.stdout.write(`  run: ${run.replay_status} on replay${run.bundled_status === undefined ? "" : `, bundled run says ${run.bundled_status}`}${run.replay_matches === false ? " (MISMATCH)" : ""}\n`);
    for (const f of run.failing_findings ?? []) io.stdout.write(`    ${f.rule_id} ${f.reason}${f.human_summary ? `: ${f.human_summary}` : ""}\n`);
  }
}

export async function verifyBundleCommand(args: string[], io: CliIo): Promise<number> {
  return withUsageErrors(io.stderr, async () => {
    const parsed = parseCommandArgs("verify", args, {
      keys: { type: "string" },
      policy: { type: "string" },
      "require-signed": { type: "boolean" },
      json: { type: "boolean" },
    });
    const values = parsed.values as { keys?: string; policy?: string; "require-signed"?: boolean; json?: boolean };
    if (parsed.positionals.length !== 1) throw new UsageError(`intentproof verify: give one bundle\n${USAGE}`);
    if (values.keys === undefined) throw new UsageError(`intentproof verify: --keys <keys.json> is required: a bundle is verified against keys you trust, never against the keys it ships\n${USAGE}`);
    const path = parsed.positionals[0]!;
    const keys = await loadTrustedKeys(values.keys);
    const expected = values.policy === undefined ? undefined : await policyFromFile(values.policy, "verify");
    let members: Map<string, Buffer>;
    try {
      members = await readBundleFile(path);
    } catch (error) {
      if (error instanceof ZstdUnavailableError || error instanceof TarError) {
        io.stderr.write(`intentproof verify: ${path}: ${error.message}\n`);
        return EXIT_USAGE;
      }
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== undefined) throw new UsageError(`intentproof verify: ${path}: cannot read the bundle (${code})`);
      io.stderr.write(`intentproof verify: ${path}: not a readable bundle (${(error as Error).message})\n`);
      return EXIT_USAGE;
    }
    const result = verifyBundleMembers(members, keys, {
      ...(expected === undefined ? {} : { expectedPolicyFingerprint: expected.policy_fingerprint }),
      requireSigned: values["require-signed"] === true,
    });
    if (values.json === true) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else printHuman(io, path, result);
    return result.status === "pass" ? EXIT_PASS : EXIT_FAIL;
  });
}
