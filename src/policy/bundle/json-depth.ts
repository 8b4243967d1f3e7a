/**
 * How deep a bundle's JSON may nest. JSON.parse reads any depth, but what
 * runs on the parsed value recurses once per level (JCS, JSON.stringify, the
 * schema validator): a crafted member nested ~10,000 deep overflows the
 * stack. The writer's records nest a captured value at most 1000 levels
 * (the snapshot's maxDepth limit) below a few of their own; twice that is
 * safe for every reader and never refuses what a writer wrote.
 */
export const MAX_JSON_DEPTH = 2000;

/** True when the JSON text nests arrays and objects deeper than `limit` (scanned without recursion; brackets in strings do not count). */
export function nestsDeeperThan(text: string, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}
