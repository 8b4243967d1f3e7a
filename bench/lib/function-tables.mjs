// The per-function tables of bench/profile.mjs (self time),
// bench/allocation.mjs (bytes allocated) and bench/native-profile.mjs (CPU
// time): one column per variant, a function's figure per request in each.
import { categoryOf as jsCategoryOf } from "./profile-windows.mjs";

const LABEL_WIDTH = 64;

/** Rows of `variants` columns, each wide enough for its name and a space; `format` turns a figure into its cell. */
export function variantColumns(variants, format) {
  const width = Math.max(12, ...variants.map((v) => v.length + 2));
  const label = (text) => text.slice(0, LABEL_WIDTH - 1).padEnd(LABEL_WIDTH);
  return {
    header: (first) => `${label(first)}${variants.map((v) => v.padStart(width)).join("")}`,
    row: (name, figureOf) => `${label(name)}${variants.map((v) => format(figureOf(v)).padStart(width)).join("")}`,
  };
}

/**
 * `perRequest` (variant → function key → figure per request) summed by part
 * of the process (`categoryOf`, by default the V8 profiles' parts), with a
 * `totalLabel` row of all of it when given, then the `top` functions whose
 * `measure` differs most between the first variant and the last. Returns the lines.
 */
export function functionTables(variants, perRequest, { format, measure, top, totalLabel, categoryOf = jsCategoryOf }) {
  const columns = variantColumns(variants, format);
  const of = (variant, key) => perRequest.get(variant).get(key) ?? 0;
  const categories = new Map();
  for (const [variant, byKey] of perRequest) {
    for (const [key, figure] of byKey) {
      const byVariant = categories.get(categoryOf(key)) ?? new Map();
      byVariant.set(variant, (byVariant.get(variant) ?? 0) + figure);
      categories.set(categoryOf(key), byVariant);
    }
  }
  const lines = [columns.header("part of the process")];
  for (const [category, byVariant] of [...categories].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(columns.row(category, (v) => byVariant.get(v) ?? 0));
  }
  if (totalLabel !== undefined) lines.push(columns.row(totalLabel, (v) => [...perRequest.get(v).values()].reduce((a, b) => a + b, 0)));

  const first = variants[0];
  const last = variants.at(-1);
  const difference = (key) => Math.abs(of(last, key) - of(first, key));
  const keys = new Set(variants.flatMap((v) => [...perRequest.get(v).keys()]));
  lines.push("", `the ${top} functions whose ${measure} differs most between ${first} and ${last}`, columns.header("function"));
  for (const key of [...keys].sort((a, b) => difference(b) - difference(a)).slice(0, top)) {
    lines.push(columns.row(key, (v) => of(v, key)));
  }
  return lines;
}
