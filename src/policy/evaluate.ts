/**
 * Evaluates one policy against one closed flow: one finding per rule, the run
 * `fail` if any finding fails, else `inconclusive` if any is, else `pass`.
 */
import { VERSION } from "../core/version.js";
import { sha256Tagged } from "./digest.js";
import { fastRunFingerprint, idSetMerkleRoot } from "./fingerprint.js";
import { evaluateCardinality } from "./rules/cardinality.js";
import { evaluateClaimMatch } from "./rules/claim-match.js";
import { evaluateConsensus } from "./rules/consensus.js";
import type { RuleContext } from "./rules/context.js";
import { finding } from "./rules/finding.js";
import { evaluateForbidden } from "./rules/forbidden.js";
import { evaluateOrdering } from "./rules/ordering.js";
import { evaluateRequired } from "./rules/required.js";
import { evaluateTemporal } from "./rules/temporal.js";
import { evaluateValueBound } from "./rules/value-bound.js";
import type { Attestation, Finding, Flow, FlowEvent, Outcome, Policy, PolicyRule, Run, Severity } from "./types.js";

const EVALUATORS: Record<string, (rule: PolicyRule, context: RuleContext) => Finding> = {
  required: evaluateRequired,
  forbidden: evaluateForbidden,
  ordering: evaluateOrdering,
  cardinality: evaluateCardinality,
  temporal: evaluateTemporal,
  consensus: evaluateConsensus,
  value_bound: evaluateValueBound,
  claim_match: evaluateClaimMatch,
};

export const VERIFIER_VERSION = VERSION;

let buildHash: string | undefined;

/**
 * Identifies this evaluator in every run: the hash of the package name and
 * version. Computed by the first run, not at import (hashing loads node:crypto).
 */
function verifierBuildHash(): string {
  buildHash ??= sha256Tagged(`intentproof@${VERSION}`);
  return buildHash;
}

/** What a run is computed from. */
export interface EvaluationInput {
  readonly flow: Flow;
  /**
   * The content of the flow's events (action, status, times, attributes).
   * Ordered by the flow's ordinals; when omitted, the flow's own `events`
   * entries are read, as the upstream tools inline them.
   */
  readonly events?: readonly FlowEvent[];
  /** Attestations; those mapped to another correlation id are left out. */
  readonly attestations?: readonly Attestation[];
}

export interface EvaluationOptions {
  /** The clock for `started_at`/`completed_at`. Default: `new Date()`. */
  readonly now?: () => Date;
}

function inFlowOrder(events: readonly FlowEvent[], flow: Flow): boolean {
  if (events.length !== flow.events.length) return false;
  for (let i = 0; i < events.length; i++) if (events[i]!.event_id !== flow.events[i]!.event_id) return false;
  return true;
}

function orderedEvents(input: EvaluationInput): readonly FlowEvent[] {
  if (input.events === undefined) {
    return input.flow.events.filter((e) => typeof (e as Partial<FlowEvent>).action === "string") as unknown as FlowEvent[];
  }
  // A built flow's events are already in order: the common case costs one scan.
  if (inFlowOrder(input.events, input.flow)) return input.events;
  const ordinal = new Map(input.flow.events.map((e) => [e.event_id, e.ordinal]));
  return input.events
    .filter((event) => ordinal.has(event.event_id))
    .sort((a, b) => ordinal.get(a.event_id)! - ordinal.get(b.event_id)!);
}

function attestationsFor(flow: Flow, attestations: readonly Attestation[] = []): Attestation[] {
  return attestations.filter((a) => {
    const mapped = a.subject?.mapping_to?.correlation_id;
    return mapped === undefined || mapped === flow.correlation_id;
  });
}

// Most evaluations finish within the millisecond they started: format once.
function completedAt(started: Date, completed: Date): string {
  return completed.getTime() === started.getTime() ? started.toISOString() : completed.toISOString();
}

/** The finding of one rule; an unknown category is reported, never thrown. */
export function evaluateRule(rule: PolicyRule, context: RuleContext): Finding {
  const evaluate = EVALUATORS[rule.category];
  if (evaluate === undefined) {
    return finding(rule, "inconclusive", "inconclusive.unknown.unsupported_rule_category", `rule category ${JSON.stringify(rule.category)} is not supported`);
  }
  return evaluate(rule, context);
}

/** Runs `policy` against a flow and returns the `intentproof.run.v1` (unsigned). */
export function evaluatePolicy(policy: Policy, input: EvaluationInput, options: EvaluationOptions = {}): Run {
  const now = options.now ?? (() => new Date());
  const started = now();
  const startedAt = started.toISOString();
  const attestations = attestationsFor(input.flow, input.attestations);
  const context: RuleContext = { events: orderedEvents(input), attestations };

  const findings: Finding[] = [];
  const outcomeCounts: Record<Outcome, number> = { pass: 0, fail: 0, inconclusive: 0 };
  const severityCounts: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const rule of policy.rules) {
    const result = evaluateRule(rule, context);
    findings.push(result);
    outcomeCounts[result.outcome]++;
    severityCounts[result.severity]++;
  }
  const status: Outcome = outcomeCounts.fail > 0 ? "fail" : outcomeCounts.inconclusive > 0 ? "inconclusive" : "pass";
  const ids = attestations.map((a) => a.attestation_id);

  const run: Omit<Run, "run_fingerprint"> & { run_fingerprint?: string } = {
    schema: "intentproof.run.v1",
    run_id: `run_${input.flow.flow_id}_${policy.policy_id}_v${policy.policy_version}`,
    tenant_id: policy.tenant_id,
    provenance_class: "platform_attested",
    flow_id: input.flow.flow_id,
    flow_merkle_root: input.flow.flow_merkle_root,
    policy_id: policy.policy_id,
    policy_version: policy.policy_version,
    policy_fingerprint: policy.policy_fingerprint,
    verifier_version: VERIFIER_VERSION,
    verifier_build_hash: verifierBuildHash(),
    attestation_set: { ids, merkle_root: idSetMerkleRoot(ids) },
    started_at: startedAt,
    completed_at: completedAt(started, now()),
    status,
    summary: { outcome_counts: outcomeCounts, severity_counts: severityCounts },
    findings,
    // Unsigned: runs computed in the service or by `intentproof check` carry
    // an empty signature value; the bundle's evidence is what is signed.
    signature: { alg: "ed25519", key_id: "unsigned", value: "" },
  };
  const fingerprint = fastRunFingerprint(run);
  return { ...run, run_fingerprint: fingerprint } as Run;
}
