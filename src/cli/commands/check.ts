/**
 * `intentproof check --policy <file> <evidence directory | .jsonl>
 *   [--attestations <file>] [--correlation <id>] [--keys <keys.json>] [--json]`
 *
 * Builds each correlation's flow from the evidence and evaluates the policy on
 * every flow its scope matches (or on the one named by --correlation). With
 * --keys the evidence's integrity is verified first: completeness of tampered
 * evidence means nothing. Exit 0 pass, 1 fail or inconclusive, 2 unusable input.
 */
import type { ExecutionEvent } from "../../core/types.js";
import { UNCORRELATED } from "../../evidence/map-event.js";
import { attestationsFromFile, parseCommandArgs, policyFromFile, UsageError, withUsageErrors } from "../../policy/cli-support.js";
import { evaluatePolicy } from "../../policy/evaluate.js";
import { byCorrelation, readEvidence } from "../../policy/evidence-input/read-evidence.js";
import { streamsIntegrity, type IntegrityProblem } from "../../policy/evidence-input/record-integrity.js";
import { loadTrustedKeys } from "../../policy/evidence-input/trusted-keys.js";
import { buildFlowFromEvents, buildFlowFromRecords, type BuiltFlow, type EventRecordV1 } from "../../policy/flow-builder.js";
import { scopeMatches } from "../../policy/scope.js";
import type { Outcome, Run } from "../../policy/types.js";
import type { CliIo } from "../io.js";
import { EXIT_FAIL, EXIT_PASS } from "../io.js";

const USAGE = "usage: intentproof check --policy <file> <evidence directory | .jsonl> [--attestations <file>] [--correlation <id>] [--keys <keys.json>] [--json]";

function overall(runs: readonly Run[]): Outcome {
  if (runs.some((run) => run.status === "fail")) return "fail";
  if (runs.length === 0 || runs.some((run) => run.status === "inconclusive")) return "inconclusive";
  return "pass";
}

const MARK: Record<Outcome, string> = { pass: "✓ pass", fail: "✗ fail", inconclusive: "? inconclusive" };

function printHuman(io: CliIo, runs: readonly Run[], flows: readonly BuiltFlow[], note: string | undefined): void {
  if (note !== undefined) io.stdout.write(`${note}\n`);
  runs.forEach((run, i) => {
    io.stdout.write(`${MARK[run.status]}  correlation ${flows[i]!.flow.correlation_id}  policy ${run.policy_id} v${run.policy_version}  (${flows[i]!.flow.events.length} events)\n`);
    for (const finding of run.findings) {
      if (finding.outcome === "pass") continue;
      io.stdout.write(`    ${finding.outcome}: ${finding.rule_id} ${finding.reason}${finding.human_summary ? `: ${finding.human_summary}` : ""}\n`);
    }
  });
  io.stdout.write(`${MARK[overall(runs)]}: ${runs.length} flow(s) checked\n`);
}

function printIntegrity(io: CliIo, json: boolean, problems: readonly IntegrityProblem[]): number {
  if (json) io.stdout.write(`${JSON.stringify({ status: "fail", integrity: problems, runs: [] }, null, 2)}\n`);
  else {
    io.stdout.write(`✗ fail: the evidence does not verify against the given keys; completeness was not checked\n`);
    for (const p of problems.slice(0, 50)) io.stdout.write(`    ${p.reason}${p.event_id ? ` ${p.event_id}` : ""}: ${p.detail}\n`);
    if (problems.length > 50) io.stdout.write(`    … and ${problems.length - 50} more\n`);
  }
  return EXIT_FAIL;
}

export async function checkCommand(args: string[], io: CliIo): Promise<number> {
  return withUsageErrors(io.stderr, async () => {
    const { values: raw, positionals } = parseCommandArgs("check", args, {
      policy: { type: "string" },
      attestations: { type: "string" },
      correlation: { type: "string" },
      keys: { type: "string" },
      json: { type: "boolean" },
    });
    const values = raw as { policy?: string; attestations?: string; correlation?: string; keys?: string; json?: boolean };
    if (positionals.length !== 1) throw new UsageError(`intentproof check: give one evidence directory or .jsonl file\n${USAGE}`);
    const policy = await policyFromFile(values.policy, "check");
    const attestations = await attestationsFromFile(values.attestations);
    const evidence = await readEvidence(positionals[0]!);
    const useRecords = evidence.records.length > 0;
    if (!useRecords && evidence.executionEvents.length === 0) throw new UsageError(`${positionals[0]}: no events found`);

    if (values.keys !== undefined) {
      if (!useRecords) throw new UsageError(`intentproof check: --keys verifies signed intentproof.event.v1 records; ${positionals[0]} holds unsigned ExecutionEvents`);
      const problems = streamsIntegrity(evidence.streams, await loadTrustedKeys(values.keys));
      if (problems.length > 0) return printIntegrity(io, values.json === true, problems);
    }

    const groups = useRecords
      ? byCorrelation<EventRecordV1 | ExecutionEvent>(evidence.records, (r) => (r as EventRecordV1).correlation_id)
      : byCorrelation<EventRecordV1 | ExecutionEvent>(evidence.executionEvents, (e) => (e as ExecutionEvent).correlationId);
    const build = (items: Array<EventRecordV1 | ExecutionEvent>): BuiltFlow =>
      useRecords ? buildFlowFromRecords(items as EventRecordV1[]) : buildFlowFromEvents(items as ExecutionEvent[], { tenantId: policy.tenant_id });

    let flows: BuiltFlow[];
    let note: string | undefined;
    if (values.correlation !== undefined) {
      const items = groups.get(values.correlation);
      if (items === undefined) throw new UsageError(`intentproof check: no events of correlation ${JSON.stringify(values.correlation)} in ${positionals[0]}`);
      flows = [build(items)];
    } else {
      // Records of calls made outside any correlation share one pseudo-chain;
      // they are not one flow, so they are only checked when named.
      flows = [...groups].filter(([id]) => id !== UNCORRELATED).map(([, items]) => build(items)).filter((built) => scopeMatches(policy, built.events));
      if (flows.length === 0) note = `no flow of ${groups.size} correlation(s) matches the scope of ${policy.policy_id}`;
    }

    const runs = flows.map((built) => evaluatePolicy(policy, { ...built, attestations }));
    const status = overall(runs);
    if (values.json === true) io.stdout.write(`${JSON.stringify({ status, runs }, null, 2)}\n`);
    else printHuman(io, runs, flows, note);
    return status === "pass" ? EXIT_PASS : EXIT_FAIL;
  });
}
