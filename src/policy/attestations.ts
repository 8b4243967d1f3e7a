import { specV1Validator } from "../schema/spec-v1.js";
import { describeViolations } from "../schema/validator.js";
import type { Attestation } from "./types.js";

/**
 * Reads `intentproof.attestation.v1` JSON Lines (blank lines allowed); each
 * line must be a schema-valid attestation. Throws a TypeError naming the
 * line otherwise.
 */
export function parseAttestationsJsonl(text: string, source = "attestations"): Attestation[] {
  const validate = specV1Validator("attestation");
  const attestations: Attestation[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new TypeError(`${source}:${i + 1}: not JSON (${(error as Error).message})`);
    }
    const problems = describeViolations(validate(value));
    if (problems.length > 0) throw new TypeError(`${source}:${i + 1}: not an intentproof.attestation.v1: ${problems.slice(0, 3).join("; ")}`);
    attestations.push(value as Attestation);
  });
  return attestations;
}
