/**
 * What a record withheld, read from the captured values themselves: the
 * serializer writes the `"[REDACTED]"` token (public API, "Serializer
 * tokens") in place of every value whose key is in `redactKeys`, so each
 * occurrence of that exact string in `inputs`, `output` or `error` is counted
 * as one redacted field. A payload string that is literally `"[REDACTED]"`
 * is counted too: the summary can over-report, never under-report.
 */
import type { JsonValue } from "../core/types.js";
import type { RedactionSummary } from "./record.js";

export const REDACTION_TOKEN = "[REDACTED]";
/** The rule name reported in `rules_applied`: the serializer option that redacts. */
export const REDACT_KEYS_RULE = "redactKeys";
/** At most this many paths are listed; `fields_redacted_count` stays exact. */
export const MAX_REDACTED_PATHS = 100;

export interface PayloadScan {
  /** True when `inputs` or `output` hold at least one value that is not redacted. */
  untrustedPayload: boolean;
  /** Present when something was redacted. */
  summary?: RedactionSummary;
}

interface Tally {
  redactedPaths: string[];
  redactedCount: number;
  clearValues: number;
  /** The keys from the root to the value being visited; joined into a path only on a hit. */
  trail: (string | number)[];
}

function pathOf(trail: readonly (string | number)[]): string {
  let path = "";
  for (const step of trail) path += typeof step === "number" ? `[${step}]` : path === "" ? step : `.${step}`;
  return path;
}

function walk(value: JsonValue | undefined, tally: Tally): void {
  if (value === REDACTION_TOKEN) {
    tally.redactedCount++;
    if (tally.redactedPaths.length < MAX_REDACTED_PATHS) tally.redactedPaths.push(pathOf(tally.trail));
    return;
  }
  if (value === null || typeof value !== "object") {
    if (value !== undefined) tally.clearValues++;
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      tally.trail.push(i);
      walk(value[i], tally);
      tally.trail.pop();
    }
    return;
  }
  for (const key of Object.keys(value)) {
    tally.trail.push(key);
    walk(value[key], tally);
    tally.trail.pop();
  }
}

/** Scans the captured values of one record (output already in its v1 form). */
export function scanPayload(
  inputs: JsonValue | undefined,
  output: JsonValue | undefined,
  error: JsonValue | undefined,
): PayloadScan {
  const tally: Tally = { redactedPaths: [], redactedCount: 0, clearValues: 0, trail: [] };
  const visit = (root: string, value: JsonValue | undefined) => {
    if (value === undefined || value === null) return;
    tally.trail.push(root);
    walk(value, tally);
    tally.trail.pop();
  };
  visit("inputs", inputs);
  visit("output", output);
  const untrustedPayload = tally.clearValues > 0;
  visit("error", error);
  if (tally.redactedCount === 0) return { untrustedPayload };
  return {
    untrustedPayload,
    summary: {
      rules_applied: [REDACT_KEYS_RULE],
      fields_redacted_count: tally.redactedCount,
      fields_redacted_paths: tally.redactedPaths,
    },
  };
}
