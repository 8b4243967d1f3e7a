/** `flags[name]` (a parseArgs string) as a whole number ≥ 1, or `fallback` when it is not given. */
export function countFlag(flags, name, fallback) {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name}: expected a whole number ≥ 1, got "${raw}"`);
  return value;
}
