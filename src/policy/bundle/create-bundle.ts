/**
 * Packs one correlation's evidence into a proof bundle: the flow, its signed
 * events, the policy, the run, the attestations used, the public keys that
 * sign the events, and a manifest with every member's SHA-256 and the Merkle
 * roots, signed when a signing key is given (manifest-signature.ts). The
 * caller verifies the records first (tampered evidence is not packed).
 */
import type { KeyObject } from "node:crypto";
import { VERSION } from "../../core/version.js";
import { isEd25519Key } from "../../evidence/identity-rules.js";
import { EVIDENCE_SPEC_VERSION, type EvidenceSignature } from "../../evidence/record.js";
import { jcs, merkleRoot, sha256Hex, sha256Tagged } from "../digest.js";
import { evaluatePolicy } from "../evaluate.js";
import { buildFlowFromRecords, type EventRecordV1 } from "../flow-builder.js";
import type { Attestation, Flow, Policy, Run } from "../types.js";
import {
  ATTESTATIONS, EVENTS, FLOW, jsonDocument, jsonLines, keyMemberName, MANIFEST, MANIFEST_SCHEMA, POLICY, recordLines, RUN,
} from "./bundle-members.js";
import { signingKeyId, signManifest } from "./manifest-signature.js";
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
  /** Present when the bundle was made with a signing key: it fixes the member set, so the flow's length (manifest-signature.ts). */
  signature?: EvidenceSignature;
}

export interface BundleInput {
  /** The signed records of ONE correlation. */
  readonly records: readonly EventRecordV1[];
  readonly policy: Policy;
  readonly attestations?: readonly Attestation[];
  /** Keys by id; those that sign the records or the manifest are shipped as `keys/<key_id>.pub` (for reference: a verifier uses its own). */
  readonly keys: ReadonlyMap<string, KeyObject>;
  readonly now?: () => Date;
  readonly exportProfile?: BundleManifest["verification_profile"]["export_profile"];
  /**
   * The evidence holder's Ed25519 private key: it signs the manifest, which
   * fixes the events the bundle holds, so the flow's length (without it the
   * manifest is unsigned, and whoever holds the bundle can drop the flow's
   * last events and rebuild one that verifies). Its public key must be in
   * `keys`: the id it has there is the signature's `key_id`, and a verifier
   * checks the signature with the keys it trusts.
   */
  readonly signingKey?: KeyObject;
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

  const eventKeyIds = [...new Set(records.map((r) => (r.signature as { key_id?: string } | undefined)?.key_id))].filter((id): id is string => id !== undefined);
  let manifestKeyId: string | undefined;
  if (input.signingKey !== undefined) {
    if (!isEd25519Key(input.signingKey, "private")) throw new TypeError("signingKey must be an Ed25519 private key");
    manifestKeyId = signingKeyId(input.signingKey, input.keys, eventKeyIds);
    if (manifestKeyId === undefined) {
      throw new TypeError("the public key of signingKey is not among `keys`: a verifier trusting those keys could not check the manifest's signature");
    }
  }

  const files = new Map<string, Buffer>([
    [FLOW, Buffer.from(jsonDocument(built.flow))],
    [EVENTS, Buffer.from(recordLines(records))],
    [POLICY, Buffer.from(jsonDocument(input.policy))],
    [RUN, Buffer.from(jsonDocument(run))],
    [ATTESTATIONS, Buffer.from(jsonLines(attestations))],
  ]);
  for (const keyId of new Set([...eventKeyIds, ...(manifestKeyId === undefined ? [] : [manifestKeyId])])) {
    const key = input.keys.get(keyId);
    if (key !== undefined) files.set(keyMemberName(keyId), Buffer.from(key.export({ format: "pem", type: "spki" }) as string));
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
  if (manifestKeyId !== undefined) manifest.signature = signManifest(manifest, input.signingKey!, manifestKeyId);
  files.set(MANIFEST, Buffer.from(jsonDocument(manifest)));
  const members = [...files.keys()].sort().map((name) => ({ name, data: files.get(name)! }));
  return { members, manifest, flow: built.flow, run };
}
