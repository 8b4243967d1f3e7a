/**
 * Text from input (a bundle, evidence, a policy, a key set, or an error
 * message quoting them) made safe to print on a terminal. A crafted string
 * could otherwise move the cursor, clear the screen, hide text, reorder it
 * (bidirectional overrides) or start a line of its own, such as a fake
 * "✓ pass". Every control character (C0, DEL, C1), U+2028/U+2029 and the
 * bidirectional marks, overrides and isolates become a visible `\uXXXX`.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

// JSON.stringify escapes C0 itself; the rest can stand raw in its strings.
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const escape = (char: string): string => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** One value from input, on one line: newlines included, nothing in it acts on the terminal. */
export function printable(value: unknown): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  return text.replace(UNSAFE, escape);
}

/** A message of several lines (ours, with input quoted in them): each line made printable, the line breaks kept. */
export function printableLines(text: string): string {
  return text.split("\n").map(printable).join("\n");
}

/** `--json` output: JSON.stringify's, with the characters it leaves raw escaped too (the same JSON value). */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2).replace(UNSAFE_IN_JSON, escape)}\n`;
}
