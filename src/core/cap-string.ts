/** Appended to the first `maxStringLength` characters of a longer string. */
export const TRUNCATED_SUFFIX = "[Truncated]";

/**
 * `text` when it has at most `maxLength` characters, else its first
 * `maxLength` characters followed by `"[Truncated]"`, as a string of its own
 * that does not keep `text` alive.
 */
export function capString(text: string, maxLength: number): string {
  return text.length > maxLength ? truncate(text, maxLength) : text;
}

function truncate(text: string, maxLength: number): string {
  const cut = text.slice(0, maxLength) + TRUNCATED_SUFFIX;
  // V8 keeps a slice as a view of the whole source string, and the
  // concatenation keeps the slice. Reading a character flattens the
  // concatenation into one new sequential string (a copy of at most
  // maxLength characters) and drops both links, so a record kept in memory
  // never pins a multi-megabyte message, stack or input.
  cut.charCodeAt(0);
  return cut;
}
