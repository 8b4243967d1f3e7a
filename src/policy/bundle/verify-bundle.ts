/**
 * Offline verification of a proof bundle against TRUSTED keys: member hashes
 * against the manifest, the manifest's Merkle roots, every event's signature
 * (keys shipped inside the bundle are reported, never used), the events'
 * chain, the flow's references and root, the policy's fingerprint; then a
 * fresh replay of the policy compared with the bundled run.
 */
import { createPublicKey } from "node:crypto";
import { rawPublicKey } from "../../evidence/ed25519.js";
import { specV1Validator, type SpecV1SchemaName } from "../../schema/spec-v1.js";
import { describeViolations } from "../../schema/validator.js";
import { sha256Tagged } from "../digest.js";
import { evaluatePolicy } from "../evaluate.js";
import { runFingerprint } from "../fingerprint.js";
import { buildFlowFromRecords, type EventRecordV1 } from "../flow-builder.js";
import { parsePolicy } from "../load-policy.js";
import type { Attestation, Flow, Run } from "../types.js";
import { recordIntegrity } from "../evidence-input/record-integrity.js";
import type { TrustedKeys } from "../evidence-input/trusted-keys.js";
import { ATTESTATIONS, EVENTS, FLOW, KEYS_DIRECTORY, MANIFEST, POLICY, REQUIRED_MEMBERS, RUN } from "./bundle-members.js";
import { idMerkleRoot } from "./create-bundle.js";

export interface BundleFinding {
  /** Stable code, e.g. `bundle.member_hash_mismatch`, `event.unsigned`, `run.replay_mismatch`. */
  readonly code: string;
  /** `fail` breaks verification; `warn` is reported only. */
  readonly severity: "fail" | "warn";
  readonly detail: string;
  readonly member?: string;
  readonly event_id?: string;
}

export interface BundleVerification {
  readonly status: "pass" | "fail";
  /** `bundle.verify_pass`, or the code of the first failing finding. */
  readonly reason: string;
  readonly findings: BundleFinding[];
  readonly members: string[];
  /** Key ids shipped in `keys/` that are absent from (or differ from) the trusted set. */
  readonly untrusted_bundle_keys: string[];
  /** What the bundle says about the flow, and whether a fresh replay agrees. */
  readonly run: {
    /** The policy the bundle applies: check it is the one agreed (or pass `expectedPolicyFingerprint`). */
    readonly policy?: { policy_id: string; policy_version: number; policy_fingerprint: string };
    readonly bundled_status?: string;
    readonly replay_status?: string;
    readonly replay_matches?: boolean;
    readonly failing_findings?: Array<{ rule_id: string; reason: string; human_summary?: string }>;
  };
}

function parseJson(text: Buffer | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text.toString("utf8"));
  } catch {
    return undefined;
  }
}

function parseLines(text: Buffer | undefined): { values: Record<string, unknown>[]; bad: number } {
  const values: Record<string, unknown>[] = [];
  let bad = 0;
  for (const line of (text?.toString("utf8") ?? "").split("\n")) {
    if (line.trim() === "") continue;
    try {
      const value = JSON.parse(line) as unknown;
      if (value !== null && typeof value === "object" && !Array.isArray(value)) values.push(value as Record<string, unknown>);
      else bad++;
    } catch {
      bad++;
    }
  }
  return { values, bad };
}

/** The bundle's keys that the trusted set does not hold with the same bytes. */
function untrustedKeys(members: ReadonlyMap<string, Buffer>, trusted: TrustedKeys): string[] {
  const untrusted: string[] = [];
  for (const [name, data] of members) {
    if (!name.startsWith(KEYS_DIRECTORY) || !name.endsWith(".pub")) continue;
    const keyId = name.slice(KEYS_DIRECTORY.length, -".pub".length);
    const known = trusted.get(keyId);
    let same = false;
    try {
      same = known !== undefined && rawPublicKey(createPublicKey(data.toString("utf8"))).equals(rawPublicKey(known));
    } catch {
      same = false;
    }
    if (!same) untrusted.push(keyId);
  }
  return untrusted;
}

function findingKey(f: { rule_id: string; outcome: string; reason: string; evidence_event_ids?: string[] }): string {
  return JSON.stringify([f.rule_id, f.outcome, f.reason, [...(f.evidence_event_ids ?? [])].sort()]);
}

export interface BundleVerifyOptions {
  /** Fail unless the bundle's policy has this fingerprint: the manifest is not signed, so only this pins the policy. */
  readonly expectedPolicyFingerprint?: string;
}

export function verifyBundleMembers(members: ReadonlyMap<string, Buffer>, trusted: TrustedKeys, options: BundleVerifyOptions = {}): BundleVerification {
  const findings: BundleFinding[] = [];
  const fail = (code: string, detail: string, extra: Partial<BundleFinding> = {}) => findings.push({ code, severity: "fail", detail, ...extra });
  const warn = (code: string, detail: string, extra: Partial<BundleFinding> = {}) => findings.push({ code, severity: "warn", detail, ...extra });
  const schemaCheck = (name: SpecV1SchemaName, value: unknown, member: string, code: string): boolean => {
    const problems = describeViolations(specV1Validator(name)(value));
    if (problems.length > 0) fail(code, `${member} is not a valid ${name}.v1: ${problems.slice(0, 3).join("; ")}`, { member });
    return problems.length === 0;
  };

  for (const required of REQUIRED_MEMBERS) if (!members.has(required)) fail("bundle.member_missing", `${required} is missing`, { member: required });

  // 1. Member hashes against the manifest; members the manifest does not list were added later.
  const manifest = parseJson(members.get(MANIFEST)) as Record<string, any> | undefined;
  if (members.has(MANIFEST)) {
    if (manifest === undefined) fail("bundle.manifest_unreadable", "manifest.json is not JSON", { member: MANIFEST });
    else schemaCheck("bundle-manifest", manifest, MANIFEST, "bundle.manifest_invalid");
  }
  const listed = new Set<string>();
  for (const entry of Array.isArray(manifest?.files) ? (manifest!.files as Array<{ path?: unknown; sha256?: unknown }>) : []) {
    if (typeof entry?.path !== "string") continue;
    listed.add(entry.path);
    const data = members.get(entry.path);
    if (data === undefined) fail("bundle.member_missing", `${entry.path} is listed in the manifest but absent`, { member: entry.path });
    else if (sha256Tagged(data) !== entry.sha256) fail("bundle.member_hash_mismatch", `${entry.path} does not match its manifest SHA-256: it was changed`, { member: entry.path });
  }
  for (const name of members.keys()) {
    if (name !== MANIFEST && !listed.has(name)) fail("bundle.member_unlisted", `${name} is not listed in the manifest`, { member: name });
  }

  // 2. Events: Merkle root, signatures against the trusted keys, chain.
  const events = parseLines(members.get(EVENTS));
  if (events.bad > 0) fail("bundle.events_unreadable", `${events.bad} line(s) of events.jsonl are not JSON objects`, { member: EVENTS });
  const records = events.values as EventRecordV1[];
  const eventRoot = idMerkleRoot(records.map((r) => String(r.event_id)));
  if (manifest?.event_merkle_root !== undefined && manifest.event_merkle_root !== eventRoot) {
    fail("bundle.event_merkle_mismatch", `event_merkle_root ${manifest.event_merkle_root} does not match the events (${eventRoot})`, { member: MANIFEST });
  }
  for (const problem of recordIntegrity(records, trusted)) {
    fail(problem.reason, problem.detail, { member: EVENTS, ...(problem.event_id === undefined ? {} : { event_id: problem.event_id }) });
  }

  // 3. Attestations: schema and Merkle root.
  const attestationLines = parseLines(members.get(ATTESTATIONS));
  if (attestationLines.bad > 0) fail("bundle.attestations_unreadable", `${attestationLines.bad} line(s) of attestations.jsonl are not JSON objects`, { member: ATTESTATIONS });
  attestationLines.values.forEach((value, i) => schemaCheck("attestation", value, `${ATTESTATIONS} line ${i + 1}`, "attestation.schema_invalid"));
  const attestations = attestationLines.values as unknown as Attestation[];
  const attestationRoot = idMerkleRoot(attestations.map((a) => String(a.attestation_id)));
  if (manifest?.attestation_merkle_root !== undefined && manifest.attestation_merkle_root !== attestationRoot) {
    fail("bundle.attestation_merkle_mismatch", `attestation_merkle_root does not match the attestations (${attestationRoot})`, { member: MANIFEST });
  }

  // 4. The flow references exactly these events, in chain order, under its root.
  const flow = parseJson(members.get(FLOW)) as Flow | undefined;
  let flowUsable = flow !== undefined && schemaCheck("flow", flow, FLOW, "flow.schema_invalid");
  if (flowUsable && records.length > 0) {
    try {
      const rebuilt = buildFlowFromRecords(records);
      if (JSON.stringify(rebuilt.flow.events) !== JSON.stringify(flow!.events)) {
        fail("flow.events_mismatch", "flow.json does not reference the bundled events (ids, order or hashes differ)", { member: FLOW });
        flowUsable = false;
      }
      if (rebuilt.flow.correlation_id !== flow!.correlation_id || rebuilt.flow.flow_id !== flow!.flow_id || rebuilt.flow.tenant_id !== flow!.tenant_id) {
        fail("flow.identity_mismatch", "flow.json's flow_id, correlation_id or tenant_id is not the one of the bundled events", { member: FLOW });
      }
      if (rebuilt.flow.flow_merkle_root !== flow!.flow_merkle_root) {
        fail("flow.merkle_mismatch", `flow_merkle_root ${flow!.flow_merkle_root} is not the root of the event hashes (${rebuilt.flow.flow_merkle_root})`, { member: FLOW });
      }
    } catch (error) {
      fail("flow.unbuildable", (error as Error).message, { member: FLOW });
      flowUsable = false;
    }
  }

  // 5. Policy: valid policy.v1 with its fingerprint, the one the manifest names.
  let policy: ReturnType<typeof parsePolicy> | undefined;
  const policyJson = parseJson(members.get(POLICY));
  if (members.has(POLICY)) {
    try {
      policy = parsePolicy(policyJson, POLICY);
      const versions = manifest?.verification_profile?.policy_versions;
      if (Array.isArray(versions) && !versions.includes(policy.policy_fingerprint)) {
        fail("bundle.policy_version_mismatch", "the manifest's policy_versions do not include the policy's fingerprint", { member: MANIFEST });
      }
      if (options.expectedPolicyFingerprint !== undefined && policy.policy_fingerprint !== options.expectedPolicyFingerprint) {
        fail("policy.not_expected", `the bundle applies policy ${policy.policy_id} ${policy.policy_fingerprint}, not the expected ${options.expectedPolicyFingerprint}`, { member: POLICY });
      }
    } catch (error) {
      fail("policy.invalid", (error as Error).message.split("\n").slice(0, 4).join(" "), { member: POLICY });
    }
  }

  // 6. Bundled run, and a fresh replay compared with it.
  const bundledRun = parseJson(members.get(RUN)) as Run | undefined;
  const runValid = bundledRun !== undefined && schemaCheck("run", bundledRun, RUN, "run.schema_invalid");
  if (runValid && runFingerprint(bundledRun!) !== bundledRun!.run_fingerprint) {
    fail("run.fingerprint_mismatch", "run_fingerprint does not match the run's content: the run was changed", { member: RUN });
  }
  const runReport: { -readonly [K in keyof BundleVerification["run"]]: BundleVerification["run"][K] } = {};
  if (typeof (bundledRun as { status?: unknown } | undefined)?.status === "string") runReport.bundled_status = bundledRun!.status;
  if (policy !== undefined) runReport.policy = { policy_id: policy.policy_id, policy_version: policy.policy_version, policy_fingerprint: policy.policy_fingerprint };
  if (policy !== undefined && flowUsable && flow !== undefined) {
    const replay = evaluatePolicy(policy, { flow, events: buildFlowFromRecords(records).events, attestations });
    runReport.replay_status = replay.status;
    runReport.failing_findings = replay.findings
      .filter((f) => f.outcome !== "pass")
      .map((f) => ({ rule_id: f.rule_id, reason: f.reason, ...(f.human_summary === undefined ? {} : { human_summary: f.human_summary }) }));
    if (runValid) {
      const same =
        replay.status === bundledRun!.status &&
        replay.flow_merkle_root === bundledRun!.flow_merkle_root &&
        replay.policy_fingerprint === bundledRun!.policy_fingerprint &&
        JSON.stringify(replay.findings.map(findingKey)) === JSON.stringify(bundledRun!.findings.map(findingKey));
      runReport.replay_matches = same;
      if (!same) fail("run.replay_mismatch", `replaying the policy gives ${replay.status}, the bundled run says ${bundledRun!.status} (or their findings differ)`, { member: RUN });
    }
  } else {
    fail("run.replay_unavailable", "the policy cannot be replayed: the policy or the flow is not usable", { member: RUN });
  }

  const untrusted = untrustedKeys(members, trusted);
  for (const keyId of untrusted) warn("bundle.key_untrusted", `keys/${keyId}.pub is shipped in the bundle but is not in the trusted key set; it was not used`, { member: `keys/${keyId}.pub` });

  const firstFail = findings.find((f) => f.severity === "fail");
  return {
    status: firstFail === undefined ? "pass" : "fail",
    reason: firstFail?.code ?? "bundle.verify_pass",
    findings,
    members: [...members.keys()].sort(),
    untrusted_bundle_keys: untrusted,
    run: runReport,
  };
}
