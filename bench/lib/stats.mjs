/** Median of a list of numbers (mean of the middle two for an even count). */
export function median(values) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Rounds to `digits` decimals, keeping the value a number for the JSON file. */
export function round(value, digits = 1) {
  if (!Number.isFinite(value)) return value;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** The same list rotated by `by` places: each round starts with a different variant. */
export function rotate(list, by) {
  const k = ((by % list.length) + list.length) % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

/**
 * A distribution-free 95% confidence interval for the median of `values`:
 * the k-th smallest and k-th largest, k the largest rank for which
 * P(Binomial(n, 1/2) < k) ≤ 2.5%. It says how far the median of these
 * rounds could be from the median of many more rounds of the same kind.
 */
export function medianInterval(values) {
  const n = values.length;
  const sorted = [...values].sort((a, b) => a - b);
  // P(X = i) for X ~ Binomial(n, 1/2), summed from i = 0 while it stays ≤ 2.5%.
  let probability = 0.5 ** n;
  let below = 0;
  let k = 0;
  while (k < n && below + probability <= 0.025) {
    below += probability;
    probability = (probability * (n - k)) / (k + 1);
    k++;
  }
  if (k === 0) return [Number.NaN, Number.NaN];
  return [sorted[k - 1], sorted[n - k]];
}
