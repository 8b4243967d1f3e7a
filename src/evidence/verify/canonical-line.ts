/**
 * A log line must be exactly the text the writer writes for the record it
 * parses to. The signature covers the parsed value, not the line: JSON.parse
 * keeps the last of two members with one name, and JCS writes a lone
 * surrogate as U+FFFD, so a line that differs from the writer's text can show
 * a reader (or grep) values other than the signed ones.
 */
import { checkpointLine, type CheckpointRecord } from "../checkpoint.js";
import { signedLineText } from "../event-hash.js";
import { hasLoneSurrogate } from "../jcs.js";

/** Where `text` first departs from `expected`, for a reader to find it. */
function departure(text: string, expected: string): string {
  let at = 0;
  while (at < text.length && text.charCodeAt(at) === expected.charCodeAt(at)) at++;
  const start = Math.max(0, at - 24);
  const excerpt = `${start > 0 ? "…" : ""}${text.slice(start, at + 40)}${at + 40 < text.length ? "…" : ""}`;
  return `it departs from the writer's text for the record it parses to at character ${at + 1} (${excerpt}): a duplicated member name, an escape, spacing or member order the writer never writes`;
}

/** Why an event line is not the writer's text for its record, or `undefined` when it is. */
export function eventLineProblem(text: string, canonicalUnsigned: string, signature: unknown): string | undefined {
  const expected = signedLineText(canonicalUnsigned, signature);
  return text === expected ? undefined : departure(text, expected);
}

/** Why a (well-formed) checkpoint line is not the writer's text for its record, or `undefined` when it is. */
export function checkpointLineProblem(text: string, record: CheckpointRecord): string | undefined {
  const expected = checkpointLine(record);
  if (text !== expected) return departure(text, expected);
  // JSON.stringify keeps a lone surrogate as an escape, while the signed JCS text has U+FFFD in its place.
  if (holdsLoneSurrogate(record)) return "it holds a lone surrogate, which its signature cannot tell from U+FFFD";
  return undefined;
}

function holdsLoneSurrogate(value: unknown): boolean {
  if (typeof value === "string") return hasLoneSurrogate(value);
  return typeof value === "object" && value !== null && Object.values(value).some(holdsLoneSurrogate);
}
