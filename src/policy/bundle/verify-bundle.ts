/**
 * Offline verification of a proof bundle against TRUSTED keys: member hashes
 * against the manifest, each JSON member as the writer's exact text, the
 * manifest's signature (which fixes the flow's
 * length; an unsigned manifest is a warning, or a failure when signing is
 * required), the manifest's Merkle roots, every event's signature (keys
 * shipped inside the bundle are reported, never used), the events' chain, the
 * flow's references and root, the policy's fingerprint; then a fresh replay
 * of the policy compared with the bundled run. Every check runs and reports
 * (a malformed member is a finding, never a thrown error); the first failing
 * one gives the reason. The archive itself is read by tar.ts, which refuses
 * what the bundle writer never writes.
 */
import { classifySignatureEnvelope } from "../../evidence/signature-envelope.js";
import { sha256Tagged } from "../digest.js";
import { evaluatePolicy } from "../evaluate.js";
import { recordIntegrity } from "../evidence-input/record-integrity.js";
import type { TrustedKeys } from "../evidence-input/trusted-keys.js";
import { runFingerprint } from "../fingerprint.js";
import { buildFlowFromRecords, type BuiltFlow, type EventRecordV1 } from "../flow-builder.js";
import { parsePolicy } from "../load-policy.js";
import type { Attestation, Flow, Policy, Run } from "../types.js";
import { BundleFindings, type BundleFinding } from "./bundle-findings.js";
import { ATTESTATIONS, EVENTS, FLOW, jsonDocument, jsonLines, MANIFEST, POLICY, REQUIRED_MEMBERS, RUN } from "./bundle-members.js";
import { parseJson, parseLines, untrustedKeys } from "./bundle-members-read.js";
import { idMerkleRoot } from "./create-bundle.js";
import { MAX_JSON_DEPTH } from "./json-depth.js";
import { manifestDigest } from "./manifest-signature.js";
import type { TarError } from "./tar.js";

export type { BundleFinding } from "./bundle-findings.js";

export interface RunReport {
  /** The policy the bundle applies: check it is the one agreed (or pass `expectedPolicyFingerprint`). */
  policy?: { policy_id: string; policy_version: number; policy_fingerprint: string };
  bundled_status?: string;
  replay_status?: string;
  replay_matches?: boolean;
  failing_findings?: Array<{ rule_id: string; reason: string; human_summary?: string }>;
}

/** The manifest's signature, checked with the trusted keys only. */
export interface ManifestSignatureReport {
  /**
   * `verified`: a trusted key signed this manifest as it is; `unsigned`: it
   * carries no signature; `invalid`: its signature does not verify, names a
   * key that is not trusted, or uses an algorithm other than ed25519 (a
   * failing finding says which).
   */
  readonly status: "verified" | "unsigned" | "invalid";
  /** The signature's key id, when it names one. */
  readonly key_id?: string;
}

/**
 * Which flow the bundle holds, for a reader to check it is the one they asked
 * about: a verdict says nothing of any other flow, nor of this one's events
 * after `created_at`.
 */
export interface BundledFlowReport {
  /** The flow's ids, from its events (the manifest's flow_id and tenant_id when the events make no flow). */
  readonly flow_id?: string;
  readonly tenant_id?: string;
  readonly correlation_id?: string;
  /** The events in events.jsonl. */
  readonly events: number;
  /** The manifest's `created_at`: when the bundle was made, attested by its signature when signed. */
  readonly created_at?: string;
}

export interface BundleVerification {
  readonly status: "pass" | "fail";
  /** `bundle.verify_pass`, or the code of the first failing finding. */
  readonly reason: string;
  /**
   * True when the bundle verifies and its manifest is signed by a trusted key:
   * the signer attests that these are the flow's events, so none was dropped
   * after the signature (`manifest_signature.key_id` names the signer). False
   * for an unsigned manifest: events after the last could have been dropped.
   */
  readonly length_attested: boolean;
  readonly manifest_signature: ManifestSignatureReport;
  readonly flow: BundledFlowReport;
  readonly findings: BundleFinding[];
  readonly members: string[];
  /** Key ids shipped in `keys/` that are absent from (or differ from) the trusted set. */
  readonly untrusted_bundle_keys: string[];
  /** What the bundle says about the flow, and whether a fresh replay agrees. */
  readonly run: Readonly<RunReport>;
}

export interface BundleVerifyOptions {
  /**
   * Fail unless the bundle's policy has this fingerprint. The bundle's maker
   * chooses the policy (and, for an unsigned manifest, anyone holding the
   * bundle can re-make it with another): only this pins the one agreed.
   */
  readonly expectedPolicyFingerprint?: string;
  /** Fail an unsigned manifest (`bundle.manifest_unsigned`), whose flow's length nothing attests, instead of warning. */
  readonly requireSigned?: boolean;
}

type Manifest = Record<string, any> | undefined;

const UNREADABLE = `not JSON, or nested deeper than ${MAX_JSON_DEPTH} levels`;

/** A JSON member that is there but unreadable (parseJson gave nothing): a failure, never silently skipped. */
function unreadableMember(members: ReadonlyMap<string, Buffer>, name: string, value: unknown, code: string, findings: BundleFindings): boolean {
  if (value !== undefined || !members.has(name)) return false;
  findings.fail(code, `${name} is ${UNREADABLE}`, { member: name });
  return true;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** An id as a string for the Merkle roots; a crafted non-string one (already a schema finding) must not throw. */
function idText(id: unknown): string {
  return typeof id === "string" ? id : (JSON.stringify(id) ?? "");
}

/** Member hashes against the manifest; a member the manifest does not list was added later. */
function checkMembers(members: ReadonlyMap<string, Buffer>, findings: BundleFindings): Manifest {
  for (const required of REQUIRED_MEMBERS) if (!members.has(required)) findings.fail("bundle.member_missing", `${required} is missing`, { member: required });
  const parsed = parseJson(members.get(MANIFEST));
  const manifest = isObject(parsed) ? (parsed as Manifest) : undefined;
  if (members.has(MANIFEST)) {
    if (manifest === undefined) findings.fail("bundle.manifest_unreadable", `manifest.json is not a JSON object (${UNREADABLE})`, { member: MANIFEST });
    else findings.schemaValid("bundle-manifest", manifest, MANIFEST, "bundle.manifest_invalid");
  }
  const listed = new Set<string>();
  for (const entry of Array.isArray(manifest?.files) ? (manifest!.files as Array<{ path?: unknown; sha256?: unknown }>) : []) {
    if (typeof entry?.path !== "string") continue;
    listed.add(entry.path);
    const data = members.get(entry.path);
    if (data === undefined) findings.fail("bundle.member_missing", `${entry.path} is listed in the manifest but absent`, { member: entry.path });
    else if (sha256Tagged(data) !== entry.sha256) findings.fail("bundle.member_hash_mismatch", `${entry.path} does not match its manifest SHA-256: it was changed`, { member: entry.path });
  }
  for (const name of members.keys()) {
    if (name !== MANIFEST && !listed.has(name)) findings.fail("bundle.member_unlisted", `${name} is not listed in the manifest`, { member: name });
  }
  return manifest;
}

/**
 * The manifest's signature with the TRUSTED key it names (never a key from
 * `keys/`), by the rule of manifest-signature.ts. It covers the member
 * hashes, events.jsonl's included, so a verified signature fixes the flow's
 * events as the signer bundled them.
 */
function checkManifestSignature(manifest: Manifest, trusted: TrustedKeys, options: BundleVerifyOptions, findings: BundleFindings): ManifestSignatureReport {
  if (manifest === undefined) return { status: "unsigned" }; // missing or unreadable: already a failure
  const signature = manifest.signature as unknown;
  if (signature === undefined) {
    const detail =
      "the manifest is not signed, so nothing attests the flow's length: events after the last could have been dropped " +
      "(anyone holding the bundle and the public keys can re-make it without them)";
    if (options.requireSigned === true) findings.fail("bundle.manifest_unsigned", `${detail}; a signed manifest is required`, { member: MANIFEST });
    else findings.warn("bundle.manifest_unsigned", detail, { member: MANIFEST });
    return { status: "unsigned" };
  }
  let digest: Buffer | undefined;
  try {
    digest = manifestDigest(manifest);
  } catch {
    digest = undefined; // not canonicalizable JSON: cannot have been signed
  }
  const verdict = classifySignatureEnvelope(signature, digest, trusted);
  switch (verdict.status) {
    case "verified":
      return { status: "verified", key_id: verdict.keyId };
    // A signature member that is there but is no envelope (null, a string) is broken, not missing.
    case "unsigned":
    case "malformed":
      findings.fail("bundle.manifest_signature_invalid", "the manifest's signature is not { alg, key_id, value } strings", { member: MANIFEST });
      return { status: "invalid" };
    case "unsupported_alg":
      findings.fail("bundle.manifest_signature_unsupported_alg", `the manifest is signed with alg ${JSON.stringify(verdict.alg)}; only ed25519 is verified`, { member: MANIFEST });
      return { status: "invalid", key_id: verdict.keyId };
    case "key_unknown":
      findings.fail(
        "bundle.manifest_key_untrusted",
        `the manifest is signed with key ${verdict.keyId}, which is not in the trusted key set (a key shipped in keys/ is never used)`,
        { member: MANIFEST },
      );
      return { status: "invalid", key_id: verdict.keyId };
    case "invalid":
      findings.fail(
        "bundle.manifest_signature_invalid",
        `the manifest's signature does not verify with the trusted key ${verdict.keyId}: the manifest was changed after it was signed, or the signature belongs to another manifest`,
        { member: MANIFEST },
      );
      return { status: "invalid", key_id: verdict.keyId };
  }
}

/** The events' Merkle root, then the evidence verifier: schema, signatures with the trusted keys, chain. */
function checkEvents(members: ReadonlyMap<string, Buffer>, manifest: Manifest, trusted: TrustedKeys, findings: BundleFindings): EventRecordV1[] {
  const lines = parseLines(members.get(EVENTS));
  if (lines.bad > 0) findings.fail("bundle.events_unreadable", `${lines.bad} line(s) of events.jsonl are not JSON objects (${UNREADABLE})`, { member: EVENTS });
  const records = lines.values as EventRecordV1[];
  const root = idMerkleRoot(records.map((r) => idText(r.event_id)));
  if (manifest?.event_merkle_root !== undefined && manifest.event_merkle_root !== root) {
    findings.fail("bundle.event_merkle_mismatch", `event_merkle_root ${manifest.event_merkle_root} does not match the events (${root})`, { member: MANIFEST });
  }
  // With their lines as read: a line must be the writer's exact text for its record, as in a log.
  for (const problem of recordIntegrity(records.map((record, i) => ({ record, text: lines.texts[i] as string })), trusted)) {
    findings.fail(problem.reason, problem.detail, { member: EVENTS, ...(problem.event_id === undefined ? {} : { event_id: problem.event_id }) });
  }
  return records;
}

/** The schema-valid attestations, the only ones a replay may read (an invalid one is a failure already). */
function checkAttestations(members: ReadonlyMap<string, Buffer>, manifest: Manifest, findings: BundleFindings): Attestation[] {
  const lines = parseLines(members.get(ATTESTATIONS));
  if (lines.bad > 0) findings.fail("bundle.attestations_unreadable", `${lines.bad} line(s) of attestations.jsonl are not JSON objects (${UNREADABLE})`, { member: ATTESTATIONS });
  const valid = lines.values.filter((value, i) => findings.schemaValid("attestation", value, `${ATTESTATIONS} line ${i + 1}`, "attestation.schema_invalid"));
  const root = idMerkleRoot(lines.values.map((a) => idText(a.attestation_id)));
  if (manifest?.attestation_merkle_root !== undefined && manifest.attestation_merkle_root !== root) {
    findings.fail("bundle.attestation_merkle_mismatch", `attestation_merkle_root does not match the attestations (${root})`, { member: MANIFEST });
  }
  return valid as unknown as Attestation[];
}

/** The text the bundle writer writes for what a JSON or JSONL member parses to; undefined when it is missing or unreadable (reported elsewhere). */
function writerText(members: ReadonlyMap<string, Buffer>, name: string): string | undefined {
  if (name === EVENTS || name === ATTESTATIONS) {
    const lines = parseLines(members.get(name));
    if (lines.bad > 0) return undefined;
    // Each event line is held to its record's canonical text (record.not_canonical); here, only the member around the lines.
    return name === EVENTS ? lines.texts.map((text) => `${text}\n`).join("") : jsonLines(lines.values);
  }
  const value = parseJson(members.get(name));
  return isObject(value) ? jsonDocument(value) : undefined;
}

/**
 * Each JSON member must be the writer's exact text (bundle-members.ts) for
 * the value it parses to, as an event line must: JSON.parse keeps the last
 * of two members with one name, so other text could show a reader (or a
 * tool) values other than the ones verified and signed.
 */
function checkCanonical(members: ReadonlyMap<string, Buffer>, findings: BundleFindings): void {
  for (const name of [MANIFEST, FLOW, POLICY, RUN, ATTESTATIONS, EVENTS]) {
    const data = members.get(name);
    const text = writerText(members, name);
    if (data === undefined || text === undefined || data.equals(Buffer.from(text, "utf8"))) continue;
    const code = name === MANIFEST ? "bundle.manifest_not_canonical" : "bundle.member_not_canonical";
    findings.fail(code, `${name} is not the text the bundle writer writes for the JSON it parses to: a duplicated member name, spacing, escapes, member order or bytes it never writes`, {
      member: name,
    });
  }
}

/** The flow the events make (none without events), once for every check; a finding when they make none. */
function eventsFlow(records: EventRecordV1[], findings: BundleFindings): BuiltFlow | undefined {
  if (records.length === 0) return undefined;
  try {
    return buildFlowFromRecords(records);
  } catch (error) {
    findings.fail("flow.unbuildable", (error as Error).message, { member: FLOW });
    return undefined;
  }
}

/** The flow must reference exactly these events, in chain order, under its root; its identity is theirs. Returns it when usable for a replay. */
function checkFlow(members: ReadonlyMap<string, Buffer>, records: EventRecordV1[], built: BuiltFlow | undefined, findings: BundleFindings): Flow | undefined {
  const flow = parseJson(members.get(FLOW)) as Flow | undefined;
  unreadableMember(members, FLOW, flow, "flow.schema_invalid", findings);
  if (flow === undefined || !findings.schemaValid("flow", flow, FLOW, "flow.schema_invalid")) return undefined;
  if (records.length === 0) return flow;
  if (built === undefined) return undefined;
  const rebuilt = built.flow;
  if (rebuilt.correlation_id !== flow.correlation_id || rebuilt.flow_id !== flow.flow_id || rebuilt.tenant_id !== flow.tenant_id) {
    findings.fail("flow.identity_mismatch", "flow.json's flow_id, correlation_id or tenant_id is not the one of the bundled events", { member: FLOW });
  }
  if (rebuilt.flow_merkle_root !== flow.flow_merkle_root) {
    findings.fail("flow.merkle_mismatch", `flow_merkle_root ${flow.flow_merkle_root} is not the root of the event hashes (${rebuilt.flow_merkle_root})`, { member: FLOW });
  }
  if (JSON.stringify(rebuilt.events) !== JSON.stringify(flow.events)) {
    findings.fail("flow.events_mismatch", "flow.json does not reference the bundled events (ids, order or hashes differ)", { member: FLOW });
    return undefined;
  }
  return flow;
}

/** The manifest names the flow it bundles: it must be the events' flow. */
function checkManifestFlow(manifest: Manifest, built: BuiltFlow | undefined, findings: BundleFindings): void {
  if (manifest === undefined || built === undefined) return;
  if (manifest.flow_id !== built.flow.flow_id || manifest.tenant_id !== built.flow.tenant_id) {
    findings.fail("bundle.manifest_flow_mismatch", "the manifest's flow_id or tenant_id is not the one of the bundled events", { member: MANIFEST });
  }
}

function flowReport(manifest: Manifest, records: EventRecordV1[], built: BuiltFlow | undefined): BundledFlowReport {
  const text = (value: unknown) => (typeof value === "string" ? value : undefined);
  return {
    flow_id: built?.flow.flow_id ?? text(manifest?.flow_id),
    tenant_id: built?.flow.tenant_id ?? text(manifest?.tenant_id),
    correlation_id: built?.flow.correlation_id,
    events: records.length,
    created_at: text(manifest?.created_at),
  };
}

/** A valid policy.v1 whose fingerprint holds, named by the manifest (and the expected one, when given). */
function checkPolicy(members: ReadonlyMap<string, Buffer>, manifest: Manifest, options: BundleVerifyOptions, findings: BundleFindings): Policy | undefined {
  if (!members.has(POLICY)) return undefined;
  const document = parseJson(members.get(POLICY));
  if (unreadableMember(members, POLICY, document, "policy.invalid", findings)) return undefined;
  let policy: Policy;
  try {
    policy = parsePolicy(document, POLICY);
  } catch (error) {
    findings.fail("policy.invalid", (error as Error).message.split("\n").slice(0, 4).join(" "), { member: POLICY });
    return undefined;
  }
  const versions = manifest?.verification_profile?.policy_versions;
  if (Array.isArray(versions) && !versions.includes(policy.policy_fingerprint)) {
    findings.fail("bundle.policy_version_mismatch", "the manifest's policy_versions do not include the policy's fingerprint", { member: MANIFEST });
  }
  const expected = options.expectedPolicyFingerprint;
  if (expected !== undefined && policy.policy_fingerprint !== expected) {
    findings.fail("policy.not_expected", `the bundle applies policy ${policy.policy_id} ${policy.policy_fingerprint}, not the expected ${expected}`, { member: POLICY });
  }
  return policy;
}

function findingKey(f: { rule_id: string; outcome: string; reason: string; evidence_event_ids?: string[] }): string {
  return JSON.stringify([f.rule_id, f.outcome, f.reason, [...(f.evidence_event_ids ?? [])].sort()]);
}

/** The bundled run's own integrity, then a fresh replay of the policy compared with it. */
function checkRun(
  members: ReadonlyMap<string, Buffer>,
  replayInput: { policy?: Policy; flow?: Flow; built?: BuiltFlow; attestations: Attestation[] },
  findings: BundleFindings,
): RunReport {
  const report: RunReport = {};
  const bundled = parseJson(members.get(RUN)) as Run | undefined;
  unreadableMember(members, RUN, bundled, "run.schema_invalid", findings);
  const valid = bundled !== undefined && findings.schemaValid("run", bundled, RUN, "run.schema_invalid");
  if (valid && runFingerprint(bundled) !== bundled.run_fingerprint) {
    findings.fail("run.fingerprint_mismatch", "run_fingerprint does not match the run's content: the run was changed", { member: RUN });
  }
  if (typeof (bundled as { status?: unknown } | undefined)?.status === "string") report.bundled_status = bundled!.status;
  const { policy, flow, built, attestations } = replayInput;
  if (policy !== undefined) report.policy = { policy_id: policy.policy_id, policy_version: policy.policy_version, policy_fingerprint: policy.policy_fingerprint };
  if (policy === undefined || flow === undefined) {
    findings.fail("run.replay_unavailable", "the policy cannot be replayed: the policy or the flow is not usable", { member: RUN });
    return report;
  }
  let replay: Run;
  try {
    replay = evaluatePolicy(policy, { flow, events: built?.events ?? [], attestations });
  } catch (error) {
    // Events that fail their schema (a failure already) can still make a flow the evaluator cannot read.
    findings.fail("run.replay_unavailable", `the policy cannot be replayed on the bundled events: ${(error as Error).message}`, { member: RUN });
    return report;
  }
  report.replay_status = replay.status;
  report.failing_findings = replay.findings
    .filter((f) => f.outcome !== "pass")
    .map((f) => ({ rule_id: f.rule_id, reason: f.reason, ...(f.human_summary === undefined ? {} : { human_summary: f.human_summary }) }));
  if (valid) {
    const same =
      replay.status === bundled.status &&
      replay.flow_merkle_root === bundled.flow_merkle_root &&
      replay.policy_fingerprint === bundled.policy_fingerprint &&
      JSON.stringify(replay.findings.map(findingKey)) === JSON.stringify(bundled.findings.map(findingKey));
    report.replay_matches = same;
    if (!same) findings.fail("run.replay_mismatch", `replaying the policy gives ${replay.status}, the bundled run says ${bundled.status} (or their findings differ)`, { member: RUN });
  }
  return report;
}

export function verifyBundleMembers(members: ReadonlyMap<string, Buffer>, trusted: TrustedKeys, options: BundleVerifyOptions = {}): BundleVerification {
  const findings = new BundleFindings();
  const manifest = checkMembers(members, findings);
  checkCanonical(members, findings);
  const signature = checkManifestSignature(manifest, trusted, options, findings);
  const records = checkEvents(members, manifest, trusted, findings);
  const attestations = checkAttestations(members, manifest, findings);
  const built = eventsFlow(records, findings);
  const flow = checkFlow(members, records, built, findings);
  checkManifestFlow(manifest, built, findings);
  const policy = checkPolicy(members, manifest, options, findings);
  const replayInput = { ...(policy === undefined ? {} : { policy }), ...(flow === undefined ? {} : { flow }), ...(built === undefined ? {} : { built }), attestations };
  const run = checkRun(members, replayInput, findings);
  const untrusted = untrustedKeys(members, trusted);
  for (const keyId of untrusted) {
    findings.warn("bundle.key_untrusted", `keys/${keyId}.pub is shipped in the bundle but is not in the trusted key set; it was not used`, { member: `keys/${keyId}.pub` });
  }
  const firstFail = findings.firstFailure();
  return {
    status: firstFail === undefined ? "pass" : "fail",
    reason: firstFail?.code ?? "bundle.verify_pass",
    length_attested: firstFail === undefined && signature.status === "verified",
    manifest_signature: signature,
    flow: flowReport(manifest, records, built),
    findings: findings.list,
    members: [...members.keys()].sort(),
    untrusted_bundle_keys: untrusted,
    run,
  };
}

/** The verification of an archive that is a tar but not one the bundle writer writes (a TarError's code says how). */
export function archiveFailure(error: TarError): BundleVerification {
  return {
    status: "fail",
    reason: error.code,
    length_attested: false,
    manifest_signature: { status: "unsigned" },
    flow: { events: 0 },
    findings: [{ code: error.code, severity: "fail", detail: error.message }],
    members: [],
    untrusted_bundle_keys: [],
    run: {},
  };
}
