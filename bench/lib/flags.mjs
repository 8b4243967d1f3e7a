import { parseArgs } from "node:util";

/**
 * A bench script's command line, read once: `config` is parseArgs's (`--help`
 * is added), and `read(flags, positionals)` turns what it parsed into the
 * script's checked values. `--help` prints `usage` and exits 0; an unknown
 * flag, or a bad value `read` throws for, prints a one-line error and `usage`
 * and exits 2, so a mistake never starts a server or shows a stack trace.
 */
export function readCommandLine(usage, config, read) {
  try {
    const { values, positionals } = parseArgs({ ...config, options: { ...config.options, help: { type: "boolean", default: false } } });
    if (values.help) {
      process.stdout.write(usage);
      process.exit(0);
    }
    return read(values, positionals);
  } catch (error) {
    process.stderr.write(`${error.message}\n${usage}`);
    process.exit(2);
  }
}

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
