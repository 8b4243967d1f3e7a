/**
 * The sample app on a port that is already taken: both variants exit 1 with
 * a message naming the PORT variable, instead of a bare EADDRINUSE stack.
 */
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXPRESS_ENTRY, NEST_ENTRY, REPO_ROOT } from "./support/sample-app-process.js";

let taken: Server;
let port: number;

beforeAll(async () => {
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
  port = (taken.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => taken.close(() => resolve()));
});

function runOnTakenPort(entry: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [entry],
      { cwd: REPO_ROOT, env: { ...process.env, NODE_OPTIONS: "", NODE_ENV: "test", PORT: String(port) }, timeout: 20_000 },
      (_error, _stdout, stderr) => resolve({ code: child.exitCode, stderr }),
    );
  });
}

describe("the sample app when its port is taken", () => {
  for (const [variant, entry] of [["NestJS", NEST_ENTRY], ["Express", EXPRESS_ENTRY]] as const) {
    it(`${variant}: exits 1 and says which environment variable sets the port`, async () => {
      const { code, stderr } = await runOnTakenPort(entry);
      expect(code).toBe(1);
      expect(stderr).toContain(`Port ${port} on 127.0.0.1 is already in use: set the PORT environment variable`);
    });
  }
});
