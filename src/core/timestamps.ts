// Events carry RFC 3339 UTC timestamps with milliseconds. Formatting a Date
// costs more than the rest of a small event, so the "YYYY-MM-DDTHH:MM:SS."
// prefix is cached for the current second and the "mmmZ" ending is taken
// from a table: one concatenation per timestamp. A busy server records
// several events in the same millisecond, and they share its string: an
// exporter keeps events for a while, and each string kept is one more object
// for the young generation's collector to copy.
let cachedSecond = Number.NaN;
let cachedPrefix = "";
let lastMs = Number.NaN;
let lastTimestamp = "";

// Filled on the first timestamp rather than at import (cold start).
const MILLIS_ENDINGS: string[] = [];

/** `Date.now()`-style milliseconds to `2026-05-04T12:00:00.042Z`. */
export function isoTimestamp(epochMs: number): string {
  // Whole milliseconds index the table (a mocked clock may return fractions).
  const wholeMs = Math.floor(epochMs);
  if (wholeMs === lastMs) return lastTimestamp;
  const second = Math.floor(wholeMs / 1000);
  if (second !== cachedSecond) {
    if (MILLIS_ENDINGS.length === 0) {
      for (let millis = 0; millis < 1000; millis++) MILLIS_ENDINGS.push(`${String(millis).padStart(3, "0")}Z`);
    }
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20);
    cachedSecond = second;
  }
  lastTimestamp = cachedPrefix + MILLIS_ENDINGS[wholeMs - second * 1000]!;
  lastMs = wholeMs;
  return lastTimestamp;
}
