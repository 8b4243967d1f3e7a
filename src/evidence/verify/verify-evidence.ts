/** Programmatic `intentproof verify`: the same checks, for apps (a proof page) and tests. */
import type { KeyObject } from "node:crypto";
import type { CheckpointRecord } from "../checkpoint.js";
import { parseKeySet, type PublicKeySet } from "../key-set.js";
import { readEvidence } from "../log-reader.js";
import type { VerifyReport } from "./findings.js";
import { verifyStreams, type VerifyOptions } from "./verify-log.js";

/**
 * Verifies an evidence directory or `.jsonl` file against a key set you
 * trust (never one read from beside the data).
 * @throws TypeError for a malformed key set; Error when `target` holds no log.
 */
export async function verifyEvidence(
  target: string,
  keys: PublicKeySet | Map<string, KeyObject>,
  options?: { witnessed?: CheckpointRecord[]; listChains?: boolean },
): Promise<VerifyReport> {
  const keyMap = keys instanceof Map ? keys : parseKeySet(keys);
  const streams = await readEvidence(target);
  const verifyOptions: VerifyOptions = { keys: keyMap, listChains: options?.listChains === true };
  if (options?.witnessed !== undefined) verifyOptions.witnessed = options.witnessed;
  return verifyStreams(streams, verifyOptions);
}
