/** `flags[name]` (a parseArgs string) as a whole number ≥ 1, or `fallback` when it is not given. */
export function countFlag(flags, name, fallback) {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name}: expected a whole number ≥ 1, got "${raw}"`);
  return value;
}

/** `flags.variants` ("a,b,c") as a list of at least two names, or `fallback` when it is not given. */
export function variantsFlag(flags, fallback) {
  const raw = flags.variants;
  if (raw === undefined) return fallback;
  const variants = raw.split(",").map((name) => name.trim());
  if (variants.length < 2 || variants.some((name) => name === "") || new Set(variants).size !== variants.length) {
    throw new Error(`--variants: expected two or more distinct names separated by commas, got "${raw}"`);
  }
  return variants;
}
