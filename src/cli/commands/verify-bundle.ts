/**
 * `intentproof verify <bundle.proof.tar[.zst]> --keys <keys.json> [--policy <expected policy file>] [--require-signed] [--json]`
 * (routed here by the verify command for bundle files).
 *
 * Integrity against the GIVEN keys (the manifest's signature included: an
 * unsigned manifest is a warning, a failure with --require-signed), then a
 * fresh policy replay compared with the bundled run. Exit 0 when the bundle
 * verifies (whatever the flow's own run status, which is printed), 1 when it
 * does not (an archive the bundle writer would not write included), 2
 * unusable input (unreadable file, not a tar, no zstd in this runtime for a
 * .zst bundle, bad key set).
 */
import { readBundleArchive } from "../../policy/bundle/bundle-file.js";
import { ZstdUnavailableError } from "../../policy/bundle/compression.js";
import { TarError } from "../../policy/bundle/tar.js";
import type { BundledFlowReport, BundleVerification } from "../../policy/bundle/verify-bundle.js";
import { verifyBundleArchive } from "../../policy/bundle/verify-bundle-file.js";
import { loadTrustedKeys } from "../../policy/evidence-input/trusted-keys.js";
import type { CliIo } from "../io.js";
import { EXIT_FAIL, EXIT_PASS, EXIT_USAGE } from "../io.js";
import { jsonText, printable as p, printableLines } from "../printable.js";
import { parseCommandArgs, policyFromFile, UsageError, withUsageErrors } from "../command-support.js";

const USAGE = "usage: intentproof verify <bundle.proof.tar[.zst]> --keys <keys.json> [--policy <expected policy file>] [--require-signed] [--json]";

/** Which flow was verified, as of when: the verdict is about this flow only (and the bundle's id fields are input: printable). */
function flowLine(flow: BundledFlowReport): string {
  if (flow.flow_id === undefined) return "";
  const tenant = flow.tenant_id === undefined ? "" : ` of tenant ${p(flow.tenant_id)}`;
  const correlation = flow.correlation_id === undefined ? "" : `, correlation ${p(flow.correlation_id)}`;
  const bundled = flow.created_at === undefined ? "" : `, bundled ${p(flow.created_at)}`;
  return `  flow: ${p(flow.flow_id)}${tenant} (${flow.events} events${correlation})${bundled}\n`;
}

// Every string but our own wording comes from the bundle (or the command line): printed through p().
function printHuman(io: CliIo, path: string, result: BundleVerification): void {
  io.stdout.write(result.status === "pass" ? `✓ pass: bundle.verify_pass  ${p(path)}\n` : `✗ fail: ${p(result.reason)}  ${p(path)}\n`);
  io.stdout.write(flowLine(result.flow));
  for (const finding of result.findings) {
    io.stdout.write(`    ${finding.severity === "fail" ? "✗" : "!"} ${p(finding.code)}${finding.event_id ? ` ${p(finding.event_id)}` : ""}: ${p(finding.detail)}\n`);
  }
  if (result.length_attested) {
    io.stdout.write(`  signed: manifest signed by trusted key ${p(result.manifest_signature.key_id)}: the flow's length is attested (as its signer bundled it)\n`);
  }
  const { run } = result;
  if (run.policy !== undefined) io.stdout.write(`  policy: ${p(run.policy.policy_id)} v${p(run.policy.policy_version)} ${p(run.policy.policy_fingerprint)}\n`);
  if (run.replay_status !== undefined) {
    const bundled = run.bundled_status === undefined ? "" : `, bundled run says ${p(run.bundled_status)}`;
    io.stdout.write(`  run: ${p(run.replay_status)} on replay${bundled}${run.replay_matches === false ? " (MISMATCH)" : ""}\n`);
    for (const f of run.failing_findings ?? []) io.stdout.write(`    ${p(f.rule_id)} ${p(f.reason)}${f.human_summary ? `: ${p(f.human_summary)}` : ""}\n`);
  }
}

export async function verifyBundleCommand(args: string[], io: CliIo): Promise<number> {
  return withUsageErrors(io.stderr, async () => {
    const parsed = parseCommandArgs("verify", args, {
      keys: { type: "string" },
      policy: { type: "string" },
      "require-signed": { type: "boolean" },
      json: { type: "boolean" },
    }, USAGE);
    const values = parsed.values as { keys?: string; policy?: string; "require-signed"?: boolean; json?: boolean };
    if (parsed.positionals.length !== 1) throw new UsageError(`intentproof verify: give one bundle\n${USAGE}`);
    if (values.keys === undefined) throw new UsageError(`intentproof verify: --keys <keys.json> is required: a bundle is verified against keys you trust, never against the keys it ships\n${USAGE}`);
    const path = parsed.positionals[0]!;
    const keys = await loadTrustedKeys(values.keys);
    const expected = values.policy === undefined ? undefined : await policyFromFile(values.policy, "verify");
    const options = { ...(expected === undefined ? {} : { expectedPolicyFingerprint: expected.policy_fingerprint }), requireSigned: values["require-signed"] === true };
    let result: BundleVerification;
    try {
      // A tar that is not as the bundle writer writes it is a failing verdict; a file that is no tar at all is unusable input.
      result = verifyBundleArchive(await readBundleArchive(path), keys, options);
    } catch (error) {
      if (error instanceof ZstdUnavailableError || error instanceof TarError) {
        io.stderr.write(`intentproof verify: ${p(path)}: ${printableLines(error.message)}\n`);
        return EXIT_USAGE;
      }
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== undefined) throw new UsageError(`intentproof verify: ${path}: cannot read the bundle (${code})`);
      io.stderr.write(`intentproof verify: ${p(path)}: not a readable bundle (${printableLines((error as Error).message)})\n`);
      return EXIT_USAGE;
    }
    if (values.json === true) io.stdout.write(jsonText(result));
    else printHuman(io, path, result);
    return result.status === "pass" ? EXIT_PASS : EXIT_FAIL;
  });
}
