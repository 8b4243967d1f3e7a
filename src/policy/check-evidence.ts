/**
 * `intentproof check` and `intentproof bundle` as functions, for apps (a
 * proof page listing each flow's run with its bundle) and for the commands.
 */
import type { KeyObject } from "node:crypto";
import type { ExecutionEvent } from "../core/types.js";
import { UNCORRELATED } from "../evidence/map-event.js";
import { createProofBundle, type ProofBundle } from "./bundle/proof-bundle.js";
import { evaluatePolicy } from "./evaluate.js";
import { byCorrelation, readEvidence, type EvidenceInput } from "./evidence-input/read-evidence.js";
import { streamsVerification, type IntegrityProblem, type IntegrityWarning } from "./evidence-input/record-integrity.js";
import { describeUnusableRecord } from "./evidence-input/unusable-record.js";
import { unattestedRecords } from "./evidence-input/unattested-tail.js";
import { findInstanceSigningKey } from "./evidence-input/signing-key.js";
import { resolveTrustedKeys, type KeysInput } from "./evidence-input/trusted-keys.js";
import { buildFlowFromEvents, buildFlowFromRecords, type BuiltFlow, type EventRecordV1 } from "./flow-builder.js";
import { scopeMatches } from "./scope.js";
import type { Attestation, Outcome, Policy, Run } from "./types.js";

export interface CheckEvidenceOptions {
  readonly attestations?: readonly Attestation[];
  /** Check this correlation only (evaluated even if the policy's scope does not match it). */
  readonly correlationId?: string;
  /** Verify the evidence against these trusted keys (a key-set file path, a key set, or keys by id) before judging completeness. */
  readonly keys?: KeysInput;
}

export interface EvidenceCheck {
  /** `fail` if a run fails or integrity fails; `inconclusive` if a run is, or no flow matched; else `pass`. */
  readonly status: Outcome;
  readonly runs: Run[];
  /** The flows of the runs, in the same order. */
  readonly flows: BuiltFlow[];
  /** Integrity findings when `keys` were given and the evidence does not verify (then `runs` is empty). */
  readonly integrity?: IntegrityProblem[];
  /** Why nothing was checked, when nothing was. */
  readonly note?: string;
  /** With `keys`: the verifier's warnings on the log (what it cannot show, e.g. events no checkpoint counts); the runs hold only as far as these allow. */
  readonly warnings?: IntegrityWarning[];
  /** With `keys`: the checked flows with events after the last checkpoint of their log, and how many (more of their events could have been deleted there unseen). */
  readonly unattested?: UnattestedFlow[];
}

/** A flow whose last events no checkpoint counts. */
export interface UnattestedFlow {
  readonly correlation_id: string;
  /** Its events after the last checkpoint of their log. */
  readonly events: number;
}

function overall(runs: readonly Run[]): Outcome {
  if (runs.some((run) => run.status === "fail")) return "fail";
  if (runs.length === 0 || runs.some((run) => run.status === "inconclusive")) return "inconclusive";
  return "pass";
}

/**
 * Checks the flows of an evidence directory or `.jsonl` file against `policy`.
 * @throws TypeError for unusable input (unreadable evidence or key set, no events, unknown correlation).
 */
export async function checkEvidence(target: string, policy: Policy, options: CheckEvidenceOptions = {}): Promise<EvidenceCheck> {
  const evidence = await readEvidence(target);
  const useRecords = evidence.records.length > 0;
  if (!useRecords && evidence.executionEvents.length === 0) throw new TypeError(`${target}: no events found`);
  let warnings: IntegrityWarning[] | undefined;
  if (options.keys !== undefined) {
    if (!useRecords) throw new TypeError(`${target} holds unsigned ExecutionEvents: keys verify signed intentproof.event.v1 records`);
    const verification = streamsVerification(evidence.streams, await resolveTrustedKeys(options.keys));
    if (verification.findings.length > 0) return { status: "fail", runs: [], flows: [], integrity: verification.findings, warnings: verification.warnings };
    warnings = verification.warnings;
  }

  const groups = useRecords
    ? byCorrelation<EventRecordV1 | ExecutionEvent>(evidence.records, (r) => (r as EventRecordV1).correlation_id)
    : byCorrelation<EventRecordV1 | ExecutionEvent>(evidence.executionEvents, (e) => (e as ExecutionEvent).correlationId);
  const build = (items: Array<EventRecordV1 | ExecutionEvent>): BuiltFlow => {
    try {
      return useRecords ? buildFlowFromRecords(items as EventRecordV1[]) : buildFlowFromEvents(items as ExecutionEvent[], { tenantId: policy.tenant_id });
    } catch (error) {
      // Without --keys nothing screened the records: one that cannot be hashed (nested too deeply) is unusable input, named by its line.
      const unusable = error instanceof TypeError ? describeUnusableRecord(items, evidence.streams) : undefined;
      throw unusable === undefined ? error : new TypeError(`${target}: ${unusable}; \`intentproof verify\` reports it`);
    }
  };

  let flows: BuiltFlow[];
  let note: string | undefined;
  if (options.correlationId !== undefined) {
    const items = groups.get(options.correlationId);
    if (items === undefined) throw new TypeError(`no events of correlation ${JSON.stringify(options.correlationId)} in ${target}`);
    flows = [build(items)];
  } else {
    // Records of calls made outside any correlation share one pseudo-chain;
    // they are not one flow, so they are only checked when named.
    flows = [...groups].filter(([id]) => id !== UNCORRELATED).map(([, items]) => build(items)).filter((built) => scopeMatches(policy, built.events));
    if (flows.length === 0) note = `no flow of ${groups.size} correlation(s) matches the scope of ${policy.policy_id}`;
  }
  const runs = flows.map((built) => evaluatePolicy(policy, { ...built, attestations: options.attestations ?? [] }));
  const attestation = warnings === undefined ? {} : { warnings, unattested: unattestedFlows(flows, groups, evidence.streams) };
  return { status: overall(runs), runs, flows, ...(note === undefined ? {} : { note }), ...attestation };
}

function unattestedFlows(flows: readonly BuiltFlow[], groups: ReadonlyMap<string, readonly object[]>, streams: EvidenceInput["streams"]): UnattestedFlow[] {
  const tail = unattestedRecords(streams);
  const unattested: UnattestedFlow[] = [];
  for (const { flow } of flows) {
    const events = (groups.get(flow.correlation_id) ?? []).filter((record) => tail.has(record)).length;
    if (events > 0) unattested.push({ correlation_id: flow.correlation_id, events });
  }
  return unattested;
}

export interface BundleEvidenceOptions {
  readonly correlationId: string;
  readonly policy: Policy;
  /** The trusted keys (a key-set file path, a key set, or keys by id): the evidence is verified with them, and the signing ones are shipped. */
  readonly keys: KeysInput;
  readonly attestations?: readonly Attestation[];
  /** zstd-compress where the runtime can (default true); false for a plain `.proof.tar`. */
  readonly compress?: boolean;
  /**
   * The Ed25519 private key that signs the manifest, attesting the flow's
   * length (its public key must be among `keys`), or `false` for an unsigned
   * bundle. By default: the key of the one instance that signed all the
   * flow's events, read from its directory in `target`
   * (`<instance_id>/signing-key.pem`, where the evidence exporter keeps a key
   * it was not given), when it is the trusted key those events name;
   * otherwise the bundle is unsigned and `signing.reason` says why.
   */
  readonly signingKey?: KeyObject | false;
}

/** Whether the bundle's manifest is signed, by which key (and, when found in the evidence directory, from which file), or why not. */
export type BundleSigning =
  | { readonly signed: true; readonly keyId: string; readonly keyFile?: string }
  | { readonly signed: false; readonly reason: string };

export type EvidenceBundle =
  | {
      readonly bundle: ProofBundle;
      readonly signing: BundleSigning;
      readonly integrity?: undefined;
      /** The verifier's warnings on the log (every one: they limit what the log shows of any flow in it). */
      readonly warnings: IntegrityWarning[];
      /**
       * The flow's events after the last checkpoint of their log: no signed
       * record counts them, so events of the flow deleted there would not
       * show, and a signed manifest would attest a length the log does not.
       * `intentproof bundle` refuses such a flow unless --allow-unattested.
       */
      readonly unattestedEvents: number;
    }
  | { readonly bundle?: undefined; readonly signing?: undefined; readonly integrity: IntegrityProblem[] };

/**
 * The proof bundle of one correlation of an evidence directory, after
 * verifying the log: a finding about that correlation or about the log itself
 * refuses the bundle (`integrity` is returned instead). Its manifest is
 * signed as `signingKey` says (`signing` tells how it went).
 * @throws TypeError for unusable input (a signing key whose public key is not among `keys` included).
 */
export async function bundleEvidence(target: string, options: BundleEvidenceOptions): Promise<EvidenceBundle> {
  const keys = await resolveTrustedKeys(options.keys);
  const evidence = await readEvidence(target);
  const records = byCorrelation(evidence.records, (r) => r.correlation_id).get(options.correlationId);
  if (records === undefined) throw new TypeError(`no signed records of correlation ${JSON.stringify(options.correlationId)} in ${target}`);
  const verification = streamsVerification(evidence.streams, keys);
  const integrity = verification.findings.filter((p) => p.correlation_id === undefined || p.correlation_id === options.correlationId);
  if (integrity.length > 0) return { integrity };
  const tail = unattestedRecords(evidence.streams);
  const unattestedEvents = records.filter((record) => tail.has(record)).length;
  let signingKey: KeyObject | undefined;
  let keyFile: string | undefined;
  let unsigned = "no signing key was given (signingKey: false)";
  if (options.signingKey !== undefined && options.signingKey !== false) signingKey = options.signingKey;
  else if (options.signingKey === undefined) {
    const found = await findInstanceSigningKey(evidence.streams, records, keys);
    if (found.key !== undefined) ({ key: signingKey, file: keyFile } = found);
    else unsigned = `no signing key was given, and none found in the evidence directory: ${found.reason}`;
  }
  const bundle = createProofBundle(
    { records, policy: options.policy, attestations: options.attestations ?? [], keys: keys as ReadonlyMap<string, KeyObject>, ...(signingKey === undefined ? {} : { signingKey }) },
    { compress: options.compress ?? true },
  );
  const signature = bundle.manifest.signature;
  const signing: BundleSigning =
    signature === undefined ? { signed: false, reason: unsigned } : { signed: true, keyId: signature.key_id, ...(keyFile === undefined ? {} : { keyFile }) };
  return { bundle, signing, warnings: verification.warnings, unattestedEvents };
}
