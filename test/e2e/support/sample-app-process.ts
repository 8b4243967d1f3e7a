/**
 * Boots the BUILT sample app (sample-app/dist, compiled by `npm run build`,
 * which `npm test` runs first) as a child process, the way `npm start` does,
 * on a free port of 127.0.0.1.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export const NEST_ENTRY = "sample-app/dist/src/main.js";
export const EXPRESS_ENTRY = "sample-app/dist/express/main.js";

export interface RunningSampleApp {
  /** e.g. `http://127.0.0.1:41234`, without a trailing slash. */
  readonly url: string;
  /** Everything the app wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then waits for the exit (the app flushes its exporters first). */
  stop(): Promise<number | null>;
}

const LISTENING = /listening on (http:\/\/127\.0\.0\.1:\d+)/;

export async function startSampleApp(entry: string, env: Record<string, string> = {}): Promise<RunningSampleApp> {
  if (!existsSync(join(REPO_ROOT, entry))) {
    throw new Error(`${entry} is missing: build first with "npm run build" (npm test does it in pretest)`);
  }
  const child: ChildProcess = spawn(process.execPath, [entry], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_ENV: "test", PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sample app did not start within 20 s:\n${output}`)), 20_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString("utf8");
      const match = LISTENING.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`sample app exited with code ${code} before listening:\n${output}`));
    });
  });

  return {
    url,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Polls `read` until `done(value)` holds; fails with the last value after `timeoutMs`. */
export async function waitFor<T>(read: () => T | Promise<T>, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
