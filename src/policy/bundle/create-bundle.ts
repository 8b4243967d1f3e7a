/**
 * Packs one correlation's evidence into a proof bundle: the flow, its signed
 * events, the policy, the run, the attestations used, the public keys that
 * sign the events, and a manifest with every member's SHA-256 and the Merkle
 * roots. The caller verifies the records first (tampered evidence is not
 * packed).
 */
import type { KeyObject } from "node:crypto";
import { VERSION } from "../../core/version.js";
import { EVIDENCE_SPEC_VERSION } from "../../evidence/record.js";
import { jcs, merkleRoot, sha256Hex, sha256Tagged } from "../digest.js";
import { evaluatePolicy } from "../evaluate.js";
import { buildFlowFromRecords, type EventRecordV1 } from "../flow-builder.js";
import type { Attestation, Flow, Policy, Run } from "../types.js";
import {
  ATTESTATIONS, EVENTS, FLOW, jsonDocument, jsonLines, keyMemberName, MANIFEST, MANIFEST_SCHEMA, POLICY, recordLines, RUN,
} from "./bundle-members.js";
import type { TarMember } from "./tar.js";

export interface BundleManifest {
  schema: typeof MANIFEST_SCHEMA;
  bundle_id: string;
  created_at: string;
  flow_id: string;
  tenant_id: string;
  files: Array<{ path: string; sha256: string }>;
  event_merkle_root: string;
  attestation_merkle_root: string;
  verification_profile: {
    spec_version: string;
    verifier_version: string;
    policy_versions: string[];
    export_profile: "full" | "auditor" | "minimal-claim" | "counterparty";
    flow_snapshot_id: string;
    run_id: string;
  };
}

export interface BundleInput {
  /** The signed records of ONE correlation. */
  readonly records: readonly EventRecordV1[];
  readonly policy: Policy;
  readonly attestations?: readonly Attestation[];
  /** Keys by id; those that sign the records are shipped as `keys/<key_id>.pub`. */
  readonly keys: ReadonlyMap<string, KeyObject>;
  readonly now?: () => Date;
  readonly exportProfile?: BundleManifest["verification_profile"]["export_profile"];
}

export interface CreatedBundle {
  readonly members: TarMember[];
  readonly manifest: BundleManifest;
  readonly flow: Flow;
  readonly run: Run;
}

/** `event_merkle_root` / `attestation_merkle_root`: RFC 6962 over the ids, sorted by bytes (as the tools compute them). */
export function idMerkleRoot(ids: readonly string[]): string {
  return merkleRoot(ids.map((id) => Buffer.from(id, "utf8")).sort(Buffer.compare));
}

export function createBundle(input: BundleInput): CreatedBundle {
  const now = input.now ?? (() => new Date());
  const built = buildFlowFromRecords(input.records, { closureReason: "explicit" });
  const order = new Map(built.flow.events.map((e) => [e.event_id, e.ordinal]));
  const records = [...input.records].sort((a, b) => order.get(a.event_id)! - order.get(b.event_id)!);
  const run = evaluatePolicy(input.policy, { ...built, attestations: input.attestations ?? [] }, { now });
  const used = new Set(run.attestation_set.ids);
  const attestations = (input.attestations ?? []).filter((a) => used.has(a.attestation_id));

  const files = new Map<string, Buffer>([
    [FLOW, Buffer.from(jsonDocument(built.flow))],
    [EVENTS, Buffer.from(recordLines(records))],
    [POLICY, Buffer.from(jsonDocument(input.policy))],
    [RUN, Buffer.from(jsonDocument(run))],
    [ATTESTATIONS, Buffer.from(jsonLines(attestations))],
  ]);
  for (const keyId of new Set(records.map((r) => (r.signature as { key_id?: string } | undefined)?.key_id))) {
    const key = keyId === undefined ? undefined : input.keys.get(keyId);
    if (key !== undefined) files.set(keyMemberName(keyId!), Buffer.from(key.export({ format: "pem", type: "spki" }) as string));
  }

  const createdAt = now().toISOString();
  const manifest: BundleManifest = {
    schema: MANIFEST_SCHEMA,
    bundle_id: `bnd_${sha256Hex(jcs([built.flow.flow_id, run.run_fingerprint, createdAt])).slice(0, 32)}`,
    created_at: createdAt,
    flow_id: built.flow.flow_id,
    tenant_id: built.flow.tenant_id,
    files: [...files.keys()].sort().map((path) => ({ path, sha256: sha256Tagged(files.get(path)!) })),
    event_merkle_root: idMerkleRoot(records.map((r) => r.event_id)),
    attestation_merkle_root: idMerkleRoot(attestations.map((a) => a.attestation_id)),
    verification_profile: {
      spec_version: EVIDENCE_SPEC_VERSION,
      verifier_version: VERSION,
      policy_versions: [input.policy.policy_fingerprint],
      export_profile: input.exportProfile ?? "counterparty",
      flow_snapshot_id: built.flow.flow_id,
      run_id: run.run_id,
    },
  };
  files.set(MANIFEST, Buffer.from(jsonDocument(manifest)));
  const members = [...files.keys()].sort().map((name) => ({ name, data: files.get(name)! }));
  return { members, manifest, flow: built.flow, run };
}
