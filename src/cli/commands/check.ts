/**
 * `intentproof check --policy <file> <evidence directory | .jsonl>
 *   [--attestations <file>] [--correlation <id>] [--keys <keys.json>] [--json]`
 *
 * Builds each correlation's flow from the evidence and evaluates the policy on
 * every flow its scope matches (or on the one named by --correlation). With
 * --keys the evidence's integrity is verified first: completeness of tampered
 * evidence means nothing. Exit 0 pass, 1 fail or inconclusive, 2 unusable input.
 */
import { checkEvidence, type EvidenceCheck } from "../../policy/check-evidence.js";
import type { Outcome } from "../../policy/types.js";
import type { CliIo } from "../io.js";
import { EXIT_FAIL, EXIT_PASS } from "../io.js";
import { jsonText, printable as p } from "../printable.js";
import { attestationsFromFile, parseCommandArgs, policyFromFile, UsageError, withUsageErrors } from "../command-support.js";

const USAGE = "usage: intentproof check --policy <file> <evidence directory | .jsonl> [--attestations <file>] [--correlation <id>] [--keys <keys.json>] [--json]";

const MARK: Record<Outcome, string> = { pass: "✓ pass", fail: "✗ fail", inconclusive: "? inconclusive" };

// Ids, reasons and summaries come from the evidence and the policy: printed through p().
function printHuman(io: CliIo, result: EvidenceCheck, integrityChecked: boolean): void {
  if (!integrityChecked) {
    io.stdout.write("note: no --keys, so the records' signatures and chains were not verified: a forged or edited record counts like any other\n");
  }
  if (result.integrity !== undefined) {
    io.stdout.write(`✗ fail: the evidence does not verify against the given keys; completeness was not checked\n`);
    for (const problem of result.integrity.slice(0, 50)) {
      io.stdout.write(`    ${p(problem.reason)}${problem.event_id ? ` ${p(problem.event_id)}` : ""}: ${p(problem.detail)}\n`);
    }
    if (result.integrity.length > 50) io.stdout.write(`    … and ${result.integrity.length - 50} more\n`);
    return;
  }
  if (result.note !== undefined) io.stdout.write(`${p(result.note)}\n`);
  // The verifier's warnings, whatever their code: the verdicts below hold only as far as the log shows.
  for (const warning of result.warnings ?? []) io.stdout.write(`⚠ ${p(warning.reason)}: ${p(warning.detail)}\n`);
  const unattested = new Map((result.unattested ?? []).map((u) => [u.correlation_id, u.events]));
  result.runs.forEach((run, i) => {
    const flow = result.flows[i]!.flow;
    io.stdout.write(`${MARK[run.status]}  correlation ${p(flow.correlation_id)}  policy ${p(run.policy_id)} v${p(run.policy_version)}  (${flow.events.length} events)\n`);
    const tail = unattested.get(flow.correlation_id);
    if (tail !== undefined) {
      io.stdout.write(`    ⚠ ${tail} of its events follow the last checkpoint of their log: nothing signed counts them, so later events of this flow deleted there would not show\n`);
    }
    for (const finding of run.findings) {
      if (finding.outcome === "pass") continue;
      io.stdout.write(`    ${p(finding.outcome)}: ${p(finding.rule_id)} ${p(finding.reason)}${finding.human_summary ? `: ${p(finding.human_summary)}` : ""}\n`);
    }
  });
  io.stdout.write(`${MARK[result.status]}: ${result.runs.length} flow(s) checked\n`);
}

export async function checkCommand(args: string[], io: CliIo): Promise<number> {
  return withUsageErrors(io.stderr, async () => {
    const { values: raw, positionals } = parseCommandArgs("check", args, {
      policy: { type: "string" },
      attestations: { type: "string" },
      correlation: { type: "string" },
      keys: { type: "string" },
      json: { type: "boolean" },
    }, USAGE);
    const values = raw as { policy?: string; attestations?: string; correlation?: string; keys?: string; json?: boolean };
    if (positionals.length !== 1) throw new UsageError(`intentproof check: give one evidence directory or .jsonl file\n${USAGE}`);
    const policy = await policyFromFile(values.policy, "check");
    const attestations = await attestationsFromFile(values.attestations);
    const result = await checkEvidence(positionals[0]!, policy, {
      attestations,
      ...(values.correlation === undefined ? {} : { correlationId: values.correlation }),
      ...(values.keys === undefined ? {} : { keys: values.keys }),
    });
    if (values.json === true) {
      const verified = result.warnings === undefined ? {} : { warnings: result.warnings, ...(result.unattested === undefined ? {} : { unattested: result.unattested }) };
      const output = result.integrity === undefined ? { status: result.status, runs: result.runs, ...verified } : { status: result.status, integrity: result.integrity, runs: [], ...verified };
      io.stdout.write(jsonText(output));
    } else printHuman(io, result, values.keys !== undefined);
    return result.status === "pass" ? EXIT_PASS : EXIT_FAIL;
  });
}
