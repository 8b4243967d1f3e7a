/**
 * Measured figures go to `.tmp/reliability-figures.json` (one key per
 * scenario, merged) and to stdout, so they can be copied into the README.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const TMP = join(REPO_ROOT, ".tmp");
const FIGURES_FILE = join(TMP, "reliability-figures.json");
const PART_PREFIX = "reliability-figures.";

// Test files run in parallel processes: each scenario writes its own part,
// then the merged file is rebuilt from every part, so no scenario's figures
// overwrite another's.
export function recordFigures(scenario: string, figures: Record<string, unknown>): void {
  mkdirSync(TMP, { recursive: true });
  const entry = { ...figures, measuredAt: new Date().toISOString(), node: process.version };
  writeFileSync(join(TMP, `${PART_PREFIX}${scenario}.part.json`), JSON.stringify(entry, null, 2) + "\n");
  const all: Record<string, unknown> = {};
  for (const name of readdirSync(TMP).sort()) {
    if (!name.startsWith(PART_PREFIX) || !name.endsWith(".part.json")) continue;
    try {
      all[name.slice(PART_PREFIX.length, -".part.json".length)] = JSON.parse(readFileSync(join(TMP, name), "utf8"));
    } catch {
      // A part being written right now; its own writer rebuilds the file after us.
    }
  }
  writeFileSync(FIGURES_FILE, JSON.stringify(all, null, 2) + "\n");
  console.log(`reliability figures (${scenario}): ${JSON.stringify(figures)}`);
}
