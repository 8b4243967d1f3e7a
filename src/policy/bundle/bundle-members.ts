/** Member names and fixed values of a proof bundle (spec-v1/docs/v0.1-local-contract.md). */
import { signedLineText, withoutSignature } from "../../evidence/event-hash.js";
import { canonicalize } from "../../evidence/jcs.js";

export const MANIFEST = "manifest.json";
export const FLOW = "flow.json";
export const EVENTS = "events.jsonl";
export const POLICY = "policy.json";
export const RUN = "run.json";
export const ATTESTATIONS = "attestations.jsonl";
export const REQUIRED_MEMBERS = [MANIFEST, FLOW, EVENTS, POLICY, RUN] as const;
export const KEYS_DIRECTORY = "keys/";

export const MANIFEST_SCHEMA = "intentproof.bundle.manifest.v1";

/** `keys/<key_id>.pub`, with characters a file name cannot hold replaced. */
export function keyMemberName(keyId: string): string {
  return `${KEYS_DIRECTORY}${keyId.replace(/[/\\\0]/g, "_")}.pub`;
}

/** Signed records as their log writes them (canonical JSON, `signature` last): the only text the verifier accepts. */
export function recordLines(records: readonly object[]): string {
  return records.map((record) => `${signedLineText(canonicalize(withoutSignature(record)), (record as { signature?: unknown }).signature)}\n`).join("");
}

export function jsonLines(values: readonly unknown[]): string {
  return values.map((value) => `${JSON.stringify(value)}\n`).join("");
}

export function jsonDocument(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
