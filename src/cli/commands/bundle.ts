/**
 * `intentproof bundle <evidence directory> --correlation <id> --policy <file>
 *   --keys <keys.json> --out <file> [--signing-key <pem file>] [--attestations <file>] [--json]`
 *
 * Verifies the evidence log against the given keys, then packs the
 * correlation's flow, events, policy, run, attestations, the signing keys and
 * a manifest into a proof bundle a counterparty verifies offline. The
 * manifest is signed with --signing-key, or else with the key of the instance
 * that signed the flow's events when its directory holds it; otherwise the
 * bundle is unsigned (its flow's length is not attested), which the output
 * says. The verifier's warnings on the log are printed (and in --json). A
 * flow with events after the last checkpoint of its log is refused unless
 * --allow-unattested: nothing signed counts those events, so the flow's last
 * ones could have been deleted unseen, and a signed manifest would attest to a
 * counterparty a length the evidence does not (the writer checkpoints every
 * second while events flow: wait for the next checkpoint, or shutdown()).
 * Exit 0 written, 1 the evidence does not verify or the flow is unattested
 * (nothing written), 2 unusable input (a signing key whose public key is not
 * in --keys included).
 */
import type { KeyObject } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { signingKeyId } from "../../policy/bundle/manifest-signature.js";
import { bundleEvidence } from "../../policy/check-evidence.js";
import { readSigningKeyFile } from "../../policy/evidence-input/signing-key.js";
import { loadTrustedKeys } from "../../policy/evidence-input/trusted-keys.js";
import type { CliIo } from "../io.js";
import { EXIT_FAIL, EXIT_PASS } from "../io.js";
import { jsonText, printable as p } from "../printable.js";
import { attestationsFromFile, parseCommandArgs, policyFromFile, UsageError, withUsageErrors } from "../command-support.js";

const USAGE =
  "usage: intentproof bundle <evidence directory> --correlation <id> --policy <file> --keys <keys.json> --out <file> [--signing-key <pem file>] [--attestations <file>] [--allow-unattested] [--json]";

// zstd-compressed where this runtime has zstd, unless --out names a plain
// `.tar`; the file name says what was written (`.zst` added or dropped).
function outputPath(out: string, compressed: boolean): string {
  if (compressed) return out.endsWith(".zst") ? out : `${out}.zst`;
  return out.endsWith(".zst") ? out.slice(0, -".zst".length) : out;
}

export async function bundleCommand(args: string[], io: CliIo): Promise<number> {
  return withUsageErrors(io.stderr, async () => {
    const parsed = parseCommandArgs("bundle", args, {
      correlation: { type: "string" },
      policy: { type: "string" },
      keys: { type: "string" },
      out: { type: "string" },
      attestations: { type: "string" },
      "signing-key": { type: "string" },
      json: { type: "boolean" },
      "allow-unattested": { type: "boolean" },
    }, USAGE);
    const values = parsed.values as {
      correlation?: string;
      policy?: string;
      keys?: string;
      out?: string;
      attestations?: string;
      "signing-key"?: string;
      json?: boolean;
      "allow-unattested"?: boolean;
    };
    if (parsed.positionals.length !== 1) throw new UsageError(`intentproof bundle: give one evidence directory\n${USAGE}`);
    for (const required of ["correlation", "keys", "out"] as const) {
      if (values[required] === undefined) throw new UsageError(`intentproof bundle: --${required} is required\n${USAGE}`);
    }
    const policy = await policyFromFile(values.policy, "bundle");
    const attestations = await attestationsFromFile(values.attestations);
    const keys = await loadTrustedKeys(values.keys!);
    let signingKey: KeyObject | undefined;
    if (values["signing-key"] !== undefined) {
      signingKey = await readSigningKeyFile(values["signing-key"]);
      if (signingKeyId(signingKey, keys) === undefined) {
        throw new UsageError(
          `intentproof bundle: the public key of --signing-key ${values["signing-key"]} is not in --keys ${values.keys}: ` +
            "a verifier holding those keys could not check the bundle's signature (sign with a key of the key set you hand over)",
        );
      }
    }
    const compress = !values.out!.endsWith(".tar");
    const result = await bundleEvidence(parsed.positionals[0]!, {
      correlationId: values.correlation!,
      policy,
      keys,
      attestations,
      compress,
      ...(signingKey === undefined ? {} : { signingKey }),
    });
    if (result.integrity !== undefined) {
      io.stderr.write(`intentproof bundle: the evidence of ${p(values.correlation)} does not verify against ${p(values.keys)}; no bundle written\n`);
      for (const problem of result.integrity.slice(0, 20)) {
        io.stderr.write(`    ${p(problem.reason)}${problem.event_id ? ` ${p(problem.event_id)}` : ""}: ${p(problem.detail)}\n`);
      }
      return EXIT_FAIL;
    }
    const { bundle, signing, warnings, unattestedEvents } = result;
    // Warnings go to stderr, so --json's stdout stays one document.
    for (const warning of warnings) io.stderr.write(`⚠ ${p(warning.reason)}: ${p(warning.detail)}\n`);
    if (unattestedEvents > 0 && values["allow-unattested"] !== true) {
      io.stderr.write(
        `intentproof bundle: ${unattestedEvents} of the ${bundle.flow.events.length} events of ${p(values.correlation)} follow the last checkpoint of their log: ` +
          "nothing signed counts them, so later events of the flow could have been deleted unseen, and the bundle would attest a length the evidence does not; no bundle written. " +
          "Bundle it after the writer's next checkpoint (at least every second while events flow) or its shutdown(), or pass --allow-unattested\n",
      );
      return EXIT_FAIL;
    }
    const path = outputPath(values.out!, bundle.compressed);
    try {
      await writeFile(path, bundle.bytes);
    } catch (error) {
      throw new UsageError(`intentproof bundle: cannot write ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    const kind = bundle.compressed ? "zstd-compressed tar" : compress ? `plain tar: Node ${process.versions.node} has no zstd in node:zlib (Node >= 22.15 has)` : "plain tar";
    if (values.json === true) {
      const signed = signing.signed ? { signed_by: signing.keyId } : { signed_by: null, unsigned_reason: signing.reason };
      io.stdout.write(jsonText({ path, compressed: bundle.compressed, manifest: bundle.manifest, run_status: bundle.run.status, ...signed, warnings, unattested_events: unattestedEvents }));
    } else {
      io.stdout.write(`wrote ${p(path)} (${kind})\n`);
      io.stdout.write(`  flow ${p(bundle.flow.flow_id)}: ${bundle.flow.events.length} events, run ${p(bundle.run.status)} against ${p(policy.policy_id)}\n`);
      if (signing.signed) {
        const from = signing.keyFile === undefined ? "" : ` (${p(signing.keyFile)})`;
        // Only when the log's checkpoints count every event of the flow: otherwise the signature attests what the evidence does not.
        const attests = unattestedEvents === 0 ? "the bundle attests the flow's length" : `${unattestedEvents} of its events follow the log's last checkpoint, so the log does not attest the flow's length (--allow-unattested)`;
        io.stdout.write(`  manifest signed by ${p(signing.keyId)}${from}: ${attests}\n`);
      } else {
        io.stdout.write(`unsigned bundle: its completeness is not attested (events after the last could be dropped); ${p(signing.reason)}; sign it with --signing-key <pem file>\n`);
      }
    }
    return EXIT_PASS;
  });
}
