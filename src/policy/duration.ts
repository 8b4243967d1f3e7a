// ISO 8601 durations as policy.v1 writes them (`PT15M`, `P1DT2H`, `PT0.5S`).
const DURATION =
  /^P(?=\d|T)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/**
 * Milliseconds of an ISO 8601 duration, or `undefined` when the text is not
 * one. Years and months have no fixed length; they are added on the calendar
 * from `from` (milliseconds since the epoch), so `P1M` after 31 January is 28
 * to 31 days as the calendar says.
 */
export function durationMs(text: unknown, from = 0): number | undefined {
  if (typeof text !== "string") return undefined;
  const match = DURATION.exec(text);
  if (match === null) return undefined;
  const [, years, months, weeks, days, hours, minutes, seconds] = match;
  let end = from;
  if (years !== undefined || months !== undefined) {
    const date = new Date(from);
    date.setUTCFullYear(date.getUTCFullYear() + Number(years ?? 0), date.getUTCMonth() + Number(months ?? 0));
    end = date.getTime();
  }
  end += Number(weeks ?? 0) * 604_800_000 + Number(days ?? 0) * 86_400_000;
  end += Number(hours ?? 0) * 3_600_000 + Number(minutes ?? 0) * 60_000 + Number(seconds ?? 0) * 1000;
  return end - from;
}

export function isDuration(text: unknown): boolean {
  return typeof text === "string" && DURATION.test(text);
}
