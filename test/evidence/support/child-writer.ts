/** Runs test/evidence/fixtures/evidence-writer.mjs (the built package) as a real child process. */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const FIXTURE = fileURLToPath(new URL("../fixtures/evidence-writer.mjs", import.meta.url));

export interface ChildWriter {
  child: ChildProcess;
  output: () => string;
  /** Resolves when stdout has a line matching `pattern` (rejects if the child exits first or after 30 s). */
  waitFor: (pattern: RegExp) => Promise<RegExpExecArray>;
  exited: Promise<number | null>;
}

export function startWriter(env: Record<string, string>): ChildWriter {
  const child = spawn(process.execPath, [FIXTURE], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_OPTIONS: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(output);
        if (match !== null) {
          cleanup();
          resolve(match);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`child did not print ${pattern} within 30 s:\n${output.slice(-2000)}`));
      }, 30_000);
      const cleanup = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      void exited.then((code) => {
        if (listeners.has(check)) {
          cleanup();
          reject(new Error(`child exited (${code}) before printing ${pattern}:\n${output.slice(-2000)}`));
        }
      });
      listeners.add(check);
      check();
    });
  return { child, output: () => output, waitFor, exited };
}
