import type { Attestation } from "../types.js";

/** Attestations of `claim`, from `sourceId` when one is named. */
export function attestationsOf(attestations: readonly Attestation[], claim: string, sourceId?: string): Attestation[] {
  return attestations.filter((a) => a.claim === claim && (sourceId === undefined || a.source_id === sourceId));
}

/** A source signature is usable when it names an algorithm, a key and carries a value. */
export function isSourceSigned(attestation: Attestation): boolean {
  const signature = attestation.source_signature as Partial<Attestation["source_signature"]> | undefined;
  return typeof signature?.value === "string" && signature.value.trim() !== "" && typeof signature.key_id === "string" && signature.key_id !== "";
}

export const attestationIds = (attestations: readonly Attestation[]): string[] => attestations.map((a) => a.attestation_id);
