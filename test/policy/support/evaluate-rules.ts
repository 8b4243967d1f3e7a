import { evaluatePolicy } from "../../../src/policy/evaluate.js";
import { definePolicy } from "../../../src/policy/load-policy.js";
import type { Attestation, Finding, Flow, FlowEvent, PolicyRule, Run } from "../../../src/policy/types.js";

let clock = Date.parse("2026-05-16T00:00:00.000Z");

/** An event `at` ms after the epoch of these tests, taking 10 ms. */
export function ev(action: string, at: number, extra: Partial<FlowEvent> = {}): FlowEvent {
  return {
    event_id: `evt_${action}_${at}`,
    action,
    status: "ok",
    started_at: new Date(clock + at).toISOString(),
    completed_at: new Date(clock + at + 10).toISOString(),
    ...extra,
  };
}

export function attestation(id: string, claim: string, value: unknown, extra: Partial<Attestation> = {}): Attestation {
  return {
    schema: "intentproof.attestation.v1",
    attestation_id: id,
    tenant_id: "t",
    provenance_class: "source_attested",
    source_id: "stripe",
    received_at: "2026-05-16T00:00:01.000Z",
    source_emitted_at: "2026-05-16T00:00:00.500Z",
    subject: { type: "refund", id: "re_1", mapping_to: { correlation_id: "corr" } },
    claim,
    claim_value: value,
    source_payload_sha256: `sha256:${"ab".repeat(32)}`,
    source_signature: { alg: "hmac-sha256", key_id: "whsec", value: "c2ln" },
    platform_signature: { alg: "ed25519", key_id: "platform:k1", value: "c2ln" },
    ...extra,
  };
}

export function flowOf(events: readonly FlowEvent[]): Flow {
  return {
    schema: "intentproof.flow.v1",
    flow_id: "flow_test",
    tenant_id: "t",
    provenance_class: "platform_attested",
    correlation_id: "corr",
    window: { opened_at: "2026-05-16T00:00:00.000Z", closed_at: "2026-05-16T01:00:00.000Z", closure_reason: "explicit" },
    events: events.map((e, i) => ({ event_id: e.event_id, ordinal: i + 1, hash: `sha256:${"0".repeat(64)}` })),
    instrumentation_mode: "full",
    flow_merkle_root: `sha256:${"0".repeat(64)}`,
    snapshot_uri: "urn:intentproof:flow:flow_test",
  };
}

export function runRules(rules: PolicyRule[], events: FlowEvent[], attestations: Attestation[] = []): Run {
  const policy = definePolicy({ policy_id: "p", policy_version: 1, tenant_id: "t", spec_version: "1.0.0", scope: {}, rules });
  return evaluatePolicy(policy, { flow: flowOf(events), events, attestations });
}

/** The single finding of one rule. */
export function judge(rule: Omit<PolicyRule, "id">, events: FlowEvent[], attestations: Attestation[] = []): Finding {
  return runRules([{ id: "rule", ...rule }], events, attestations).findings[0]!;
}
