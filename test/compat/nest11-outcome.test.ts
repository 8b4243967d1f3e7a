/**
 * The one Nest internal IntentProof relies on (`RouterExecutionContext.create`,
 * see src/nestjs/recording/route-entry.ts) is declared for Nest 11 and 12. The
 * repo develops against Nest 12; this checks Nest 11, as a CommonJS user gets
 * it, on Express and on Fastify: a CommonJS app (test/compat/nest11-outcome/app.cjs,
 * its own pinned dependencies, installed with `npm ci` into a scratch directory
 * kept between runs) loads the packed package and records what each client got.
 * `npm test` builds dist/ first (pretest).
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExecutionEvent } from "../../src/index.js";
import { expectValidEvent } from "../support/event-validator.js";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const APP_SOURCE = join(REPO_ROOT, "test", "compat", "nest11-outcome");

interface PlatformRun {
  statuses: Record<"ok" | "denied" | "conflict" | "late" | "plain" | "profile", number>;
  events: ExecutionEvent[];
}
interface Summary {
  nestCoreVersion: string;
  express: PlatformRun;
  fastify: PlatformRun;
}

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NODE_OPTIONS: "" },
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(" ")} failed:\n${e.stdout ?? ""}\n${e.stderr ?? ""}\n${e.message}`);
  }
}

/** The app's directory, with exactly its lockfile's Nest 11 installed (reused while the manifest is unchanged). */
function installApp(): string {
  const hash = createHash("sha256");
  for (const file of ["package.json", "package-lock.json"]) hash.update(readFileSync(join(APP_SOURCE, file)));
  const digest = hash.digest("hex").slice(0, 16);
  const dir = join(tmpdir(), `intentproof-nest11-outcome-${digest}`);
  const marker = join(dir, "node_modules", ".installed");
  if (!existsSync(marker)) {
    mkdirSync(dir, { recursive: true });
    for (const file of ["package.json", "package-lock.json"]) copyFileSync(join(APP_SOURCE, file), join(dir, file));
    run("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund", "--prefix", dir], dir);
    writeFileSync(marker, digest);
  }
  copyFileSync(join(APP_SOURCE, "app.cjs"), join(dir, "app.cjs"));
  return dir;
}

let scratch: string | undefined;
let summary: Summary;

beforeAll(() => {
  const dir = installApp();
  scratch = mkdtempSync(join(tmpdir(), "intentproof-pack-"));
  const output = run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", scratch], REPO_ROOT);
  const [packed] = JSON.parse(output.slice(output.indexOf("["))) as Array<{ filename: string }>;
  const installed = join(dir, "node_modules", "intentproof");
  rmSync(installed, { recursive: true, force: true });
  mkdirSync(installed, { recursive: true });
  run("tar", ["-xzf", join(scratch, packed!.filename), "-C", installed, "--strip-components=1"], scratch);
  summary = JSON.parse(run(process.execPath, ["app.cjs"], dir)) as Summary;
}, 240_000);

afterAll(() => {
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
});

describe.each(["express", "fastify"] as const)("Nest 11 (CommonJS) on %s records what each client got", (platform) => {
  const eventOf = (name: string) => {
    const found = summary[platform].events.filter((event) => event.correlationId === `${platform}-${name}`);
    return found;
  };

  it("runs Nest 11", () => {
    expect(summary.nestCoreVersion).toMatch(/^11\./);
    for (const event of summary[platform].events) expectValidEvent(event);
  });

  it("a handler and its service: ok, with the status sent", () => {
    expect(summary[platform].statuses.ok).toBe(200);
    const events = eventOf("ok");
    expect(events.map((event) => event.action)).toEqual(["stock.reserve", "shop.ok"]);
    expect(events[1]!.attributes).toEqual({ "http.method": "GET", "http.route": "/shop/ok", "http.status_code": 200 });
  });

  it("a global guard's refusal: its exception class and status", () => {
    expect(summary[platform].statuses.denied).toBe(401);
    const [event] = eventOf("denied");
    expect(event!.action).toBe("shop.ok");
    expect(event!.error).toMatchObject({ name: "UnauthorizedException", code: "401", message: "token required" });
    expect(event!.attributes?.["http.status_code"]).toBe(401);
  });

  it("an exception filter answering 409", () => {
    expect(summary[platform].statuses.conflict).toBe(409);
    const [event] = eventOf("conflict");
    expect(event!.status).toBe("error");
    expect(event!.attributes?.["http.status_code"]).toBe(409);
  });

  it("a @Res() handler answering 503 after it returned", () => {
    expect(summary[platform].statuses.late).toBe(503);
    const [event] = eventOf("late");
    expect(event!.error).toMatchObject({ name: "HttpError", code: "503" });
    expect(event!.attributes?.["http.status_code"]).toBe(503);
  });

  it("a result an interceptor reshapes: the record is the body sent, without the field left out", () => {
    expect(summary[platform].statuses.profile).toBe(200);
    const [event] = eventOf("profile");
    expect(event!.status).toBe("ok");
    expect(event!.output).toEqual({ email: "b@example.com" });
    expect(JSON.stringify(event)).not.toContain("secret-hash");
  });

  it("nothing for an undecorated route", () => {
    expect(summary[platform].statuses.plain).toBe(200);
    expect(eventOf("plain")).toEqual([]);
  });
});
