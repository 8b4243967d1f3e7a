/**
 * A compatibility fixture as a user has it: its own package.json and
 * lockfile installed with `npm ci` (skipped when node_modules already holds
 * exactly that install), and the packed intentproof extracted as a real copy
 * into its node_modules (a symlink would resolve the peers from this repo).
 */
import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

// No shell; no NODE_OPTIONS (vitest's loader flags) and no npm_* variables
// (`npm test` exports its own project's settings) in the child.
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: "", ...extra };
  for (const key of Object.keys(env)) if (key.toLowerCase().startsWith("npm_")) delete env[key];
  return env;
}

export function run(command: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}): string {
  try {
    return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: childEnv(extraEnv) });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(" ")} failed:\n${e.stdout ?? ""}\n${e.stderr ?? ""}\n${e.message}`);
  }
}

/** Like run(), without blocking: for the tsc runs a fixture can do side by side. */
export function runAsync(command: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, encoding: "utf8", env: childEnv(extraEnv), maxBuffer: 16 * 2 ** 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(" ")} failed:\n${stdout}\n${stderr}\n${error.message}`));
      else resolve(stdout);
    });
  });
}

/** `npm ci` the fixture's pinned dependencies, unless node_modules already holds exactly this install. */
export function installLocked(appDir: string): void {
  const marker = join(appDir, "node_modules", ".intentproof-compat-lock-hash");
  const hash = createHash("sha256");
  for (const file of ["package.json", "package-lock.json"]) hash.update(readFileSync(join(appDir, file)));
  const installHash = hash.digest("hex");
  if (existsSync(marker) && readFileSync(marker, "utf8") === installHash) return;
  // --prefix: this fixture is its own project.
  run("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund", "--prefix", appDir], appDir);
  writeFileSync(marker, installHash);
}

/**
 * Packs the built repo and extracts it into the fixture's node_modules/intentproof.
 * Returns the scratch folder holding the tarball, for the caller to remove.
 */
export function installPacked(appDir: string): string {
  if (!existsSync(join(REPO_ROOT, "dist", "index.js"))) {
    throw new Error("dist/ is missing: run `npm run build` (npm test does it in pretest)");
  }
  const scratch = mkdtempSync(join(tmpdir(), "intentproof-compat-"));
  // --ignore-scripts: the build already ran; prepack must not rebuild under a running test.
  const output = run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", scratch], REPO_ROOT);
  const [packed] = JSON.parse(output.slice(output.indexOf("["))) as Array<{ filename: string }>;
  const installed = join(appDir, "node_modules", "intentproof");
  rmSync(installed, { recursive: true, force: true });
  mkdirSync(installed, { recursive: true });
  run("tar", ["-xzf", join(scratch, packed!.filename), "-C", installed, "--strip-components=1"], scratch);
  return scratch;
}
