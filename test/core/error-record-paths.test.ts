/**
 * A record never holds a server file path: Node's system errors name the
 * file in their message (`ENOENT: no such file or directory, stat
 * '/srv/app/private/invoices/ORD-1042.pdf'`), and `res.sendFile` hands such
 * an error to `next`. The exact `path`, `dest` (and a Unix socket's
 * `address`) of such an error become `"[Path]"` in the recorded message and
 * stack, base name included: a file's name is data too (an order number, a
 * session id of a file session store).
 */
import { spawn } from "node:child_process";
import { promises as fsp, mkdtempSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createIntentProofClient, snapshot } from "../../src/index.js";
import type { ExecutionEvent } from "../../src/index.js";
import { toExecutionError } from "../../src/core/error-record.js";
import { CheckedExporter } from "../support/event-validator.js";

const labels = { intent: "Send the invoice", action: "invoice.send" };
const root = mkdtempSync(join(tmpdir(), "intentproof-paths-"));
const missing = join(root, "private", "invoices", "ORD-1042.pdf");

async function recordedFailure(call: () => Promise<unknown>, includeErrorStack: boolean): Promise<ExecutionEvent> {
  const checked = new CheckedExporter();
  const client = createIntentProofClient({ exporters: [checked], includeErrorStack });
  await expect(client.wrap(labels, call)()).rejects.toThrow();
  const [event] = checked.getEvents();
  return event!;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("error records: no server file path", () => {
  it("replaces the path of a real fs error in a wrapped call's message", async () => {
    const event = await recordedFailure(() => fsp.stat(missing), false);
    expect(event.error).toMatchObject({
      name: "Error",
      message: "ENOENT: no such file or directory, stat '[Path]'",
      stack: null,
      code: "ENOENT",
    });
    expect(JSON.stringify(event)).not.toContain("ORD-1042");
  });

  it("replaces it in the recorded stack too", async () => {
    const event = await recordedFailure(() => fsp.stat(missing), true);
    expect(event.error!.stack).toContain("stat '[Path]'");
    expect(JSON.stringify(event)).not.toContain(root);
  });

  it("replaces both paths of a two-path call, the longer first so no suffix is left", async () => {
    const error = await rejection(fsp.rename(missing, `${missing}.bak`));
    expect(toExecutionError(error, true, 10_000).message).toBe("ENOENT: no such file or directory, rename '[Path]' -> '[Path]'");
  });

  it("replaces the paths before capping, so a cut never leaves a prefix of one", async () => {
    const error = await rejection(fsp.stat(missing));
    const record = toExecutionError(error, false, 50);
    expect(record.message).toBe("ENOENT: no such file or directory, stat '[Path]'");
    const cut = toExecutionError(error, false, 40);
    expect(cut.message).toBe("ENOENT: no such file or directory, stat [Truncated]");
  });

  it("replaces the cause's path in the cause and in a message that quotes it", async () => {
    const cause = await rejection(fsp.stat(missing));
    const wrapped = new Error(`invoice unavailable: ${missing}`, { cause });
    const record = toExecutionError(wrapped, true, 10_000);
    expect(record.message).toBe("invoice unavailable: [Path]");
    expect(record.cause!.message).toBe("ENOENT: no such file or directory, stat '[Path]'");
    expect(JSON.stringify(record)).not.toContain("ORD-1042");
  });

  it("replaces the path of a failed spawn and of a Unix socket connect", async () => {
    const spawned = await new Promise<unknown>((resolve) => spawn(join(root, "bin", "tool")).on("error", resolve));
    expect(toExecutionError(spawned, false, 10_000).message).toBe("spawn [Path] ENOENT");
    const socket = join(root, "db.sock");
    const refused = await new Promise<unknown>((resolve) => connect(socket).on("error", resolve));
    expect(toExecutionError(refused, false, 10_000).message).toBe("connect ENOENT [Path]");
  });

  it("replaces the path in an Error copied inside a captured value", async () => {
    const error = await rejection(fsp.stat(missing));
    expect(snapshot({ results: [{ status: "rejected", reason: error }] })).toEqual({
      results: [{ status: "rejected", reason: { name: "Error", message: "ENOENT: no such file or directory, stat '[Path]'", code: "ENOENT" } }],
    });
  });

  it("leaves errors that are not system errors untouched, even with a path field", () => {
    const validation = Object.assign(new Error("email is a required field"), { path: "email" });
    expect(toExecutionError(validation, false, 10_000).message).toBe("email is a required field");
    const network = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { syscall: "connect", address: "127.0.0.1" });
    expect(toExecutionError(network, false, 10_000).message).toBe("connect ECONNREFUSED 127.0.0.1:5432");
  });

  it("replaces an absolute template file a template engine's error names (ejs: path, pug: filename)", () => {
    const template = join(root, "views", "invoice-ORD-1042.ejs");
    const ejs = Object.assign(new Error(`${template}:3\n    1| <h1>\n >> 3| <%= total %>\n\ntotal is not defined`), { path: template });
    expect(toExecutionError(ejs, false, 10_000).message).toBe("[Path]:3\n    1| <h1>\n >> 3| <%= total %>\n\ntotal is not defined");
    const pug = Object.assign(new Error(`${template}:2:5\nunexpected token`), { filename: template });
    expect(toExecutionError(pug, false, 10_000).message).toBe("[Path]:2:5\nunexpected token");
    const windows = Object.assign(new Error("C:\\srv\\views\\a.pug:1:1 bad"), { filename: "C:\\srv\\views\\a.pug" });
    expect(toExecutionError(windows, false, 10_000).message).toBe("[Path]:1:1 bad");
  });

  it("replaces only absolute views directories of a view lookup error; a relative one says nothing of the server", () => {
    const absolute = Object.assign(new Error(`Failed to lookup view "a" in views directory "${root}"`), { view: { root } });
    expect(toExecutionError(absolute, false, 10_000).message).toBe('Failed to lookup view "a" in views directory "[Path]"');
    const relative = Object.assign(new Error('Failed to lookup view "a" in views directory "views"'), { view: { root: "views" } });
    expect(toExecutionError(relative, false, 10_000).message).toBe('Failed to lookup view "a" in views directory "views"');
  });

  it("never throws when a getter of the error throws", () => {
    const hostile = Object.assign(new Error(`stat '${missing}'`), { syscall: "stat" });
    Object.defineProperty(hostile, "path", {
      get() {
        throw new Error("boom");
      },
    });
    Object.defineProperty(hostile, "dest", { value: missing });
    expect(toExecutionError(hostile, false, 10_000).message).toBe("stat '[Path]'");
    const revoked = Proxy.revocable(new Error("x"), {});
    revoked.revoke();
    expect(() => toExecutionError(revoked.proxy, true, 10_000)).not.toThrow();
    const trapped = new Proxy(Object.assign(new Error(`stat '${missing}'`), { syscall: "stat", path: missing }), {
      get(target, key) {
        if (key === "path") throw new Error("trap");
        return Reflect.get(target, key);
      },
    });
    expect(() => toExecutionError(trapped, true, 10_000)).not.toThrow();
    const roots = new Proxy([root], {
      get() {
        throw new Error("trap");
      },
    });
    const view = Object.assign(new Error(`lookup in "${root}"`), { view: { root: roots }, filename: root });
    expect(toExecutionError(view, false, 10_000).message).toBe('lookup in "[Path]"');
  });
});
