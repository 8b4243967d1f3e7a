/** A plain-text table: first column left-aligned, the others right-aligned. */
export function textTable(header, rows) {
  const all = [header, ...rows].map((row) => row.map((cell) => String(cell)));
  const widths = header.map((_, col) => Math.max(...all.map((row) => row[col].length)));
  const line = (row) => row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))).join("  ");
  return [line(all[0]), widths.map((w) => "-".repeat(w)).join("  "), ...all.slice(1).map(line)].join("\n");
}

/** A Markdown table with the same alignment. */
export function markdownTable(header, rows) {
  const line = (row) => `| ${row.join(" | ")} |`;
  const rule = `| ${header.map((_, col) => (col === 0 ? "---" : "---:")).join(" | ")} |`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

export const fmtNs = (ns) => (Number.isFinite(ns) ? `${Math.round(ns).toLocaleString("en-US")} ns` : "n/a");
/** An added cost with its sign: "+251 ns", "-6 ns". */
export const fmtAddedNs = (ns) => (Number.isFinite(ns) && Math.round(ns) < 0 ? fmtNs(ns) : `+${fmtNs(ns)}`);
/** An added server CPU time per request with its sign: "+12.3 µs", "-1.5 µs". */
export const fmtAddedUs = (us) => (Number.isFinite(us) ? `${us < 0 ? "-" : "+"}${Math.abs(us).toFixed(1)} µs` : "n/a");
export const fmtRatio = (r, digits = 2) => (Number.isFinite(r) ? `${r.toFixed(digits)}×` : "n/a");
export const fmtRate = (r) => (Number.isFinite(r) ? Math.round(r).toLocaleString("en-US") : "n/a");
export const fmtMs = (ms) => (Number.isFinite(ms) ? `${ms.toFixed(1)} ms` : "n/a");
export const fmtBytes = (b) => {
  if (!Number.isFinite(b)) return "n/a";
  const abs = Math.abs(b);
  if (abs >= 2 ** 20) return `${(b / 2 ** 20).toFixed(2)} MiB`;
  if (abs >= 2 ** 10) return `${(b / 2 ** 10).toFixed(1)} KiB`;
  return `${b} B`;
};
/**
 * Server CPU per request (µs), with its user + system parts and the garbage
 * collector's pauses when the run recorded them.
 */
export const fmtCpu = (r) => {
  let text = `${Math.round(r.medianCpuUsPerRequest)} µs`;
  if (r.medianUserCpuUsPerRequest !== undefined) {
    text += `: ${Math.round(r.medianUserCpuUsPerRequest)} + ${Math.round(r.medianSystemCpuUsPerRequest)}`;
  }
  if (r.medianGcUsPerRequest !== undefined) text += `; GC ${r.medianGcUsPerRequest.toFixed(1)}`;
  return text;
};
export const verdict = (ok) => (ok === undefined ? "" : ok ? "met" : "MISSED");
/** A median with its 95% interval when there is one: "0.97× (0.93–0.99)". */
export const withInterval = (text, interval, format) =>
  interval !== undefined && Number.isFinite(interval[0]) ? `${text} (${format(interval[0])}–${format(interval[1])})` : text;
