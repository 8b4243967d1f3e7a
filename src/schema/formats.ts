/**
 * The `format` values the spec-v1 schemas use, asserted (as ajv-formats does)
 * rather than treated as annotations: a record with a malformed timestamp is
 * not evidence anyone can order.
 */

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The number written by `count` ASCII digits at `at`, or -1. */
function digitsAt(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const code = text.charCodeAt(i) - 48;
    if (!(code >= 0 && code <= 9)) return -1;
    value = value * 10 + code;
  }
  return value;
}

/**
 * RFC 3339 `date-time` (section 5.6), with a leap second allowed:
 * `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`. Read character by character
 * because sealing checks two timestamps per record and a regular
 * expression's match arrays would be garbage on that path.
 */
export function isDateTime(text: string): boolean {
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return false;
  if (text[4] !== "-" || text[7] !== "-" || (text[10] !== "T" && text[10] !== "t") || text[13] !== ":" || text[16] !== ":") return false;
  let at = 19;
  if (text[at] === ".") {
    const fractionStart = ++at;
    while (digitsAt(text, at, 1) >= 0) at++;
    if (at === fractionStart) return false;
  }
  const zone = text[at];
  if (zone === "Z" || zone === "z") return at + 1 === text.length;
  if (zone !== "+" && zone !== "-") return false;
  const offsetHour = digitsAt(text, at + 1, 2);
  const offsetMinute = digitsAt(text, at + 4, 2);
  return text[at + 3] === ":" && at + 6 === text.length && offsetHour >= 0 && offsetHour <= 23 && offsetMinute >= 0 && offsetMinute <= 59;
}

// RFC 3986 absolute URI: a scheme, ":", then only characters a URI may hold
// (unreserved, reserved, and %-escapes).
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/;

/** RFC 3986 `uri` (absolute). */
export function isUri(text: string): boolean {
  return URI.test(text);
}

export const FORMATS: Readonly<Record<string, (text: string) => boolean>> = {
  "date-time": isDateTime,
  uri: isUri,
};
