import { jcs } from "../digest.js";
import { eventsOf, idsOf, sameValue } from "../event-match.js";
import type { Attestation, AttributePredicate, Finding, PolicyRule } from "../types.js";
import { isSourceSigned } from "./attestation-match.js";
import type { RuleContext } from "./context.js";
import { finding } from "./finding.js";

interface ConsensusSource {
  kind: "intentproof_action" | "external";
  action?: string;
  where?: AttributePredicate;
  source_id?: string;
  channel?: string;
}
interface ConsensusSpec {
  claim: string;
  expected_value?: unknown;
  require_signed_sources?: boolean;
  sources: ConsensusSource[];
  threshold: { unanimous?: boolean; majority?: boolean; agree_at_least?: number };
}

/** What one source says about the claim. */
interface Vote {
  value: unknown;
  eventIds: string[];
  attestationIds: string[];
}

/**
 * An internal source (`intentproof_action`) votes for the claim when a
 * matching event is in the flow (its value is `expected_value`, or `true`)
 * and against it (`false`) when none is: "Stripe says refunded, our code never
 * refunded" is the disagreement this rule exists for. An external source votes
 * with its latest attestation of the claim, or is unavailable.
 */
function internalVote(source: ConsensusSource, spec: ConsensusSpec, context: RuleContext): Vote {
  const matched = source.action === undefined ? [] : eventsOf(context.events, source.action, source.where);
  return {
    value: matched.length > 0 ? (spec.expected_value ?? true) : false,
    eventIds: idsOf(matched),
    attestationIds: [],
  };
}

function latestAttestation(candidates: Attestation[]): Attestation | undefined {
  let latest: Attestation | undefined;
  for (const a of candidates) if (latest === undefined || a.source_emitted_at > latest.source_emitted_at) latest = a;
  return latest;
}

function thresholdOf(spec: ConsensusSpec): { kind: "unanimous" | "majority" | "agree_at_least"; least?: number } | undefined {
  const chosen = [
    spec.threshold.unanimous === true ? { kind: "unanimous" as const } : undefined,
    spec.threshold.majority === true ? { kind: "majority" as const } : undefined,
    spec.threshold.agree_at_least !== undefined ? { kind: "agree_at_least" as const, least: spec.threshold.agree_at_least } : undefined,
  ].filter((t) => t !== undefined);
  return chosen.length === 1 ? chosen[0] : undefined;
}

export function evaluateConsensus(rule: PolicyRule, context: RuleContext): Finding {
  const spec = rule.spec as unknown as ConsensusSpec;
  if (typeof spec.claim !== "string" || spec.claim === "") {
    return finding(rule, "inconclusive", "inconclusive.consensus.claim_missing", "the rule names no claim");
  }
  const threshold = thresholdOf(spec);
  if (threshold === undefined) {
    return finding(rule, "fail", "fail.consensus.insufficient", "the threshold must set exactly one of unanimous, majority, agree_at_least");
  }

  const ofClaim = context.attestations.filter((a) => a.claim === spec.claim);
  const votes: Vote[] = [];
  const unsigned: string[] = [];
  let hasInternal = false;
  for (const source of spec.sources) {
    if (source.kind === "intentproof_action") {
      hasInternal = true;
      votes.push(internalVote(source, spec, context));
      continue;
    }
    const attestation = latestAttestation(ofClaim.filter((a) => source.source_id === undefined || a.source_id === source.source_id));
    if (attestation === undefined) continue;
    if (spec.require_signed_sources === true && !isSourceSigned(attestation)) unsigned.push(attestation.attestation_id);
    votes.push({ value: attestation.claim_value, eventIds: [], attestationIds: [attestation.attestation_id] });
  }

  if (unsigned.length > 0) {
    return finding(rule, "inconclusive", "inconclusive.consensus.source_stale", `${unsigned.length} source attestation(s) of ${spec.claim} carry no source signature`, [], unsigned);
  }
  if (votes.length === 0 && !hasInternal) {
    return finding(rule, "inconclusive", "inconclusive.consensus.external_unavailable", `no source attested ${spec.claim}`);
  }

  // The agreeing side: votes for expected_value, else the largest group of equal values.
  const groups = new Map<string, Vote[]>();
  for (const vote of votes) {
    const key = jcs(vote.value ?? null);
    groups.set(key, [...(groups.get(key) ?? []), vote]);
  }
  let agreeing: Vote[];
  if ("expected_value" in spec) agreeing = votes.filter((vote) => sameValue(vote.value, spec.expected_value));
  else {
    const keys = [...groups.keys()].sort();
    agreeing = keys.reduce<Vote[]>((best, key) => (groups.get(key)!.length > best.length ? groups.get(key)! : best), []);
  }
  const configured = spec.sources.length;
  const met =
    threshold.kind === "unanimous" ? agreeing.length === configured
    : threshold.kind === "majority" ? agreeing.length * 2 > configured
    : agreeing.length >= threshold.least!;

  const eventIds = agreeing.flatMap((vote) => vote.eventIds);
  const agreeIds = agreeing.flatMap((vote) => vote.attestationIds);
  const tally = `${agreeing.length} of ${configured} source(s) agree on ${spec.claim}`;
  if (met) return finding(rule, "pass", "pass.consensus.threshold_met", `${tally} (${threshold.kind})`, eventIds, agreeIds);
  const dissent = votes.filter((vote) => !agreeing.includes(vote));
  if (dissent.length > 0) {
    return finding(
      rule, "fail", "fail.consensus.disagreement", `sources disagree: ${tally}`,
      votes.flatMap((vote) => vote.eventIds), votes.flatMap((vote) => vote.attestationIds),
    );
  }
  return finding(rule, "fail", "fail.consensus.threshold_unmet", `${tally}; ${threshold.kind} not reached (${configured - votes.length} source(s) unavailable)`, eventIds, agreeIds);
}
