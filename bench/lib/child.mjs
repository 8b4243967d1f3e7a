import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Repository root: cwd of every child, so `intentproof` resolves by self-reference. */
export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Runs `node ...args` and resolves with its stdout; rejects with its stderr
 * when it exits non-zero. Children keep the bench's own event loop idle.
 */
export function runNode(args, { timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`node ${args.join(" ")} exited with ${code ?? signal}\n${stderr.trim()}`));
    });
  });
}

/** Runs a bench child script that prints one JSON document as its last stdout line. */
export async function runNodeJson(args, options) {
  const { stdout } = await runNode(args, options);
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]);
}
