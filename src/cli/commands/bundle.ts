/**
 * `intentproof bundle <evidence directory> --correlation <id> --policy <file>
 *   --keys <keys.json> --out <file> [--attestations <file>] [--json]`
 *
 * Verifies the evidence log against the given keys, then packs the
 * correlation's flow, events, policy, run, attestations, the signing keys and
 * a manifest into a proof bundle a counterparty verifies offline. Exit 0
 * written, 1 the evidence does not verify (nothing written), 2 unusable input.
 */
import { writeFile } from "node:fs/promises";
import { bundleEvidence } from "../../policy/check-evidence.js";
import { attestationsFromFile, parseCommandArgs, policyFromFile, UsageError, withUsageErrors } from "../../policy/cli-support.js";
import type { CliIo } from "../io.js";
import { EXIT_FAIL, EXIT_PASS } from "../io.js";

const USAGE = "usage: intentproof bundle <evidence directory> --correlation <id> --policy <file> --keys <keys.json> --out <file> [--attestations <file>] [--json]";

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
      json: { type: "boolean" },
    });
    const values = parsed.values as { correlation?: string; policy?: string; keys?: string; out?: string; attestations?: string; json?: boolean };
    if (parsed.positionals.length !== 1) throw new UsageError(`intentproof bundle: give one evidence directory\n${USAGE}`);
    for (const required of ["correlation", "keys", "out"] as const) {
      if (values[required] === undefined) throw new UsageError(`intentproof bundle: --${required} is required\n${USAGE}`);
    }
    const policy = await policyFromFile(values.policy, "bundle");
    const attestations = await attestationsFromFile(values.attestations);
    const compress = !values.out!.endsWith(".tar");
    const result = await bundleEvidence(parsed.positionals[0]!, { correlationId: values.correlation!, policy, keys: values.keys!, attestations, compress });
    if (result.integrity !== undefined) {
      io.stderr.write(`intentproof bundle: the evidence of ${values.correlation} does not verify against ${values.keys}; no bundle written\n`);
      for (const p of result.integrity.slice(0, 20)) io.stderr.write(`    ${p.reason}${p.event_id ? ` ${p.event_id}` : ""}: ${p.detail}\n`);
      return EXIT_FAIL;
    }
    const { bundle } = result;
    const path = outputPath(values.out!, bundle.compressed);
    try {
      await writeFile(path, bundle.bytes);
    } catch (error) {
      throw new UsageError(`intentproof bundle: cannot write ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    const kind = bundle.compressed ? "zstd-compressed tar" : compress ? `plain tar: Node ${process.versions.node} has no zstd in node:zlib (Node >= 22.15 has)` : "plain tar";
    if (values.json === true) {
      io.stdout.write(`${JSON.stringify({ path, compressed: bundle.compressed, manifest: bundle.manifest, run_status: bundle.run.status }, null, 2)}\n`);
    } else {
      io.stdout.write(`wrote ${path} (${kind})\n`);
      io.stdout.write(`  flow ${bundle.flow.flow_id}: ${bundle.flow.events.length} events, run ${bundle.run.status} against ${policy.policy_id}\n`);
    }
    return EXIT_PASS;
  });
}
