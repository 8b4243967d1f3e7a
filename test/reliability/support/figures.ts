/**
 * Measured figures go to `.tmp/reliability-figures.json` (one key per
 * scenario, merged) and to stdout, so they can be copied into the README.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const FIGURES_FILE = join(REPO_ROOT, ".tmp", "reliability-figures.json");

export function recordFigures(scenario: string, figures: Record<string, unknown>): void {
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(readFileSync(FIGURES_FILE, "utf8")) as Record<string, unknown>;
  } catch {
    // First scenario of the run, or an unreadable file: start over.
  }
  all[scenario] = { ...figures, measuredAt: new Date().toISOString(), node: process.version };
  mkdirSync(dirname(FIGURES_FILE), { recursive: true });
  writeFileSync(FIGURES_FILE, JSON.stringify(all, null, 2) + "\n");
  console.log(`reliability figures (${scenario}): ${JSON.stringify(figures)}`);
}
