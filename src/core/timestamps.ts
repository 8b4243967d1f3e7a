// Events carry RFC 3339 UTC timestamps with milliseconds. Formatting a Date
// costs more than the rest of a small event, so the "YYYY-MM-DDTHH:MM:SS."
// prefix is cached for the current second and only the millis are appended.
let cachedSecond = Number.NaN;
let cachedPrefix = "";

/** `Date.now()`-style milliseconds to `2026-05-04T12:00:00.042Z`. */
export function isoTimestamp(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second !== cachedSecond) {
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20);
    cachedSecond = second;
  }
  const millis = epochMs - second * 1000;
  return cachedPrefix + (millis < 10 ? "00" : millis < 100 ? "0" : "") + millis + "Z";
}
