/**
 * `intentproof bundle <evidence directory> --correlation <id> --policy <file>
 *   --keys <keys.json> --out <file> [--attestations <file>] [--json]`
 *
 * Verifies the correlation's records against the given keys, then packs flow,
 * events, policy, run, attestations, the signing keys and a manifest into a
 * proof bundle a counterparty verifies offline. Exit 0 written, 1 the evidence
 * does not verify (nothing written), 2 unusable input.
 */
import { createBundle } from "../../policy/bundle/create-bundle.js";
import { writeBundleFile } from "../../policy/bundle/bundle-file.js";
import { attestationsFromFile, parseCommandArgs, policyFromFile, UsageError, withUsageErrors } from "../../policy/cli-support.js";
import { byCorrelation, readEvidence } from "../../policy/evidence-input/read-evidence.js";
import { streamsIntegrity } from "../../policy/evidence-input/record-integrity.js";
import { loadTrustedKeys } from "../../policy/evidence-input/trusted-keys.js";
import type { CliIo } from "../io.js";
import { EXIT_FAIL, EXIT_PASS } from "../io.js";

const USAGE = "usage: intentproof bundle <evidence directory> --correlation <id> --policy <file> --keys <keys.json> --out <file> [--attestations <file>] [--json]";

export async function bundleCommand(args: string[], io: CliIo): Promise<number> {
  return withUsageErrors(io.stderr, async () => {
    const parsed = parseCommandArgs("bundle", args, {
      correlation: { type: "string" },
      policy: { type: "string" },
      keys: { type: "string" },
      out: { type: "string" },
      attestations: { type: "string" },
      json: { type: "boolean" },
    });
    const values = parsed.values as { correlation?: string; policy?: string; keys?: string; out?: string; attestations?: string; json?: boolean };
    if (parsed.positionals.length !== 1) throw new UsageError(`intentproof bundle: give one evidence directory\n${USAGE}`);
    for (const required of ["correlation", "keys", "out"] as const) {
      if (values[required] === undefined) throw new UsageError(`intentproof bundle: --${required} is required\n${USAGE}`);
    }
    const policy = await policyFromFile(values.policy, "bundle");
    const keys = await loadTrustedKeys(values.keys!);
    const attestations = await attestationsFromFile(values.attestations);
    const evidence = await readEvidence(parsed.positionals[0]!);
    const records = byCorrelation(evidence.records, (r) => r.correlation_id).get(values.correlation!);
    if (records === undefined) throw new UsageError(`intentproof bundle: no signed records of correlation ${JSON.stringify(values.correlation)} in ${parsed.positionals[0]}`);

    // The whole log is verified (chains, checkpoints); what blocks this bundle
    // is a finding about its correlation or about the log itself.
    const problems = streamsIntegrity(evidence.streams, keys).filter((p) => p.correlation_id === undefined || p.correlation_id === values.correlation);
    if (problems.length > 0) {
      io.stderr.write(`intentproof bundle: the records of ${values.correlation} do not verify against ${values.keys}; no bundle written\n`);
      for (const p of problems.slice(0, 20)) io.stderr.write(`    ${p.reason}${p.event_id ? ` ${p.event_id}` : ""}: ${p.detail}\n`);
      return EXIT_FAIL;
    }

    const bundle = createBundle({ records, policy, attestations, keys });
    const written = await writeBundleFile(values.out!, bundle.members);
    if (values.json === true) {
      io.stdout.write(`${JSON.stringify({ path: written.path, compressed: written.compressed, manifest: bundle.manifest, run_status: bundle.run.status }, null, 2)}\n`);
    } else {
      io.stdout.write(`wrote ${written.path} (${written.compressed ? "zstd-compressed tar" : written.note ?? "plain tar"})\n`);
      io.stdout.write(`  flow ${bundle.flow.flow_id}: ${bundle.flow.events.length} events, run ${bundle.run.status} against ${policy.policy_id}\n`);
    }
    return EXIT_PASS;
  });
}
