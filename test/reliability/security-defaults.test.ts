/**
 * Security defaults, tested rather than promised:
 * - HttpExporter never logs or reports header values (or the URL, whose
 *   query may hold a key) and never sends ambient credentials such as cookies;
 * - redaction applies to nested keys, case-insensitively, in inputs, outputs
 *   and error-hook outputs;
 * - `includeErrorStack: false` removes stacks (and the cause's) from every event.
 * (The sample app's JSONL file mode, 0600, is tested with the sample app.)
 */
import express from "express";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BoundedQueueExporter, HttpExporter, IntentProofClient } from "../../src/index.js";
import type { ExecutionEvent, Exporter } from "../../src/index.js";
import { intentproof, recordRoute } from "../../src/express.js";
import { startCollector, type Collector } from "../support/collector.js";
import { CheckedExporter, expectValidEvent } from "../support/event-validator.js";

const SECRET = "s3cret-bearer-value";
const URL_KEY = "s3cret-url-key";

function captureStderr() {
  const lines: string[] = [];
  const write = vi.spyOn(process.stderr, "write").mockImplementation((chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  });
  const error = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(" "));
  });
  const warn = vi.spyOn(console, "warn").mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(" "));
  });
  return {
    lines,
    restore() {
      write.mockRestore();
      error.mockRestore();
      warn.mockRestore();
    },
  };
}

/** Everything an error could show a log: message, stack, own properties, cause. */
function everythingAbout(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const own = Object.getOwnPropertyNames(error).map((key) => {
    try {
      return `${key}=${String((error as unknown as Record<string, unknown>)[key])}`;
    } catch {
      return key;
    }
  });
  return [String(error), error.stack ?? "", ...own, error.cause === undefined ? "" : everythingAbout(error.cause)].join("\n");
}

describe("HttpExporter: no header values or URL secrets in logs and errors; no ambient credentials", () => {
  let collector: Collector;
  beforeEach(async () => {
    collector = await startCollector();
  });
  afterEach(async () => {
    await collector.close();
  });

  function client(exporter: Exporter) {
    return new IntentProofClient({ exporters: [exporter, new CheckedExporter()] });
  }

  for (const mode of ["refuse", "fail500", "hang"] as const) {
    it(`collector ${mode}: default stderr reporting and onError never show the secret`, async () => {
      await collector.setMode(mode);
      const url = `${collector.url}?key=${URL_KEY}`;
      const headers = { authorization: `Bearer ${SECRET}`, "x-api-key": SECRET };

      const stderr = captureStderr();
      try {
        const withDefaultReporting = new HttpExporter({ url, headers, timeoutMs: 200 });
        const c = client(withDefaultReporting);
        c.wrap({ intent: "Pay", action: "pay" }, () => "paid")();
        await c.shutdown();
      } finally {
        stderr.restore();
      }
      expect(stderr.lines.length).toBeGreaterThan(0); // the failure was reported…
      for (const line of stderr.lines) {
        expect(line).not.toContain(SECRET); // …without the header value
        expect(line).not.toContain(URL_KEY); // …or the URL's query
      }

      const reported: unknown[] = [];
      const withHook = new HttpExporter({ url, headers, timeoutMs: 200, onError: (error) => reported.push(error) });
      const c = client(withHook);
      c.wrap({ intent: "Pay", action: "pay" }, () => "paid")();
      await c.shutdown();
      expect(reported).toHaveLength(1);
      const text = everythingAbout(reported[0]);
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(URL_KEY);
    });
  }

  it("a header value that is invalid fails at construction without echoing the value", () => {
    let message = "";
    try {
      new HttpExporter({ url: collector.url, headers: { authorization: `Bearer ${SECRET}\r\ninjected: 1` } });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/authorization/);
    expect(message).not.toContain(SECRET);
  });

  it("requests carry only the configured headers: no cookie, no proxy or ambient credentials", async () => {
    const exporter = new HttpExporter({ url: collector.url, headers: { authorization: `Bearer ${SECRET}` } });
    const c = client(exporter);
    // Ambient state a careless client could pick up.
    const saved = { ...process.env };
    process.env.HTTP_PROXY = "http://127.0.0.1:9";
    process.env.http_proxy = "http://127.0.0.1:9";
    try {
      c.wrap({ intent: "Pay", action: "pay" }, () => "paid")();
      await c.flush();
    } finally {
      process.env = saved;
    }
    const [request] = await collector.waitForRequests(1);
    expect(request!.headers.cookie).toBeUndefined();
    expect(request!.headers["proxy-authorization"]).toBeUndefined();
    expect(Object.keys(request!.headers).sort()).toEqual(
      ["authorization", "connection", "content-length", "content-type", "host", "user-agent"].sort(),
    );
    expect(request!.headers.authorization).toBe(`Bearer ${SECRET}`);
    expectValidEvent(request!.body.event);
    await c.shutdown();
  });

  it("the event inside the envelope does not carry the exporter's headers", async () => {
    const exporter = new HttpExporter({ url: collector.url, headers: { authorization: `Bearer ${SECRET}` } });
    const c = client(new BoundedQueueExporter({ exporter }));
    c.wrap({ intent: "Pay", action: "pay" }, () => "paid")();
    await c.shutdown();
    const [request] = await collector.waitForRequests(1);
    expect(request!.rawBody).not.toContain(SECRET);
  });
});

describe("redaction: nested keys, any letter case, every captured value", () => {
  const payload = () => ({
    user: "ada",
    Password: "hunter2",
    profile: { ApiKey: "k-123", contacts: [{ email: "a@b.c", TOKEN: "t-1" }], inner: { deeper: { pAsSwOrD: "x" } } },
    headers: new Map([["Authorization", "Bearer abc"]]),
  });
  const secrets = ["hunter2", "k-123", "t-1", "Bearer abc", '"x"'];

  function expectRedacted(event: ExecutionEvent): void {
    expectValidEvent(event);
    const text = JSON.stringify(event);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).toContain("[REDACTED]");
    expect(text).toContain("ada"); // siblings are kept
    expect(text).toContain("a@b.c");
  }

  it("client-wide redactKeys apply to inputs, output and error-hook output", async () => {
    const checked = new CheckedExporter();
    const c = new IntentProofClient({
      exporters: [checked],
      serialization: { redactKeys: ["password", "APIKEY", "token", "authorization"] },
    });
    const ok = c.wrap({ intent: "Save", action: "save" }, (input: unknown) => ({ saved: input }));
    const fail = c.wrap(
      { intent: "Save", action: "save.fail", captureError: (error) => ({ details: (error as { details: unknown }).details }) },
      async (_input: unknown) => {
        throw Object.assign(new Error("nope"), { details: payload() });
      },
    );
    ok(payload());
    await expect(fail(payload())).rejects.toThrow("nope");
    const events = checked.getEvents();
    expect(events).toHaveLength(2);
    for (const event of events) expectRedacted(event);
    expect(events[1]!.output).toBeDefined();
  });

  it("per-wrap redactKeys work the same way", () => {
    const checked = new CheckedExporter();
    const c = new IntentProofClient({ exporters: [checked] });
    c.wrap({ intent: "Save", action: "save", redactKeys: ["PASSWORD", "apikey", "Token", "AUTHORIZATION"] }, (x: unknown) => x)(payload());
    expectRedacted(checked.getEvents()[0]!);
  });

  it("recordRoute redacts request bodies and response bodies too", async () => {
    const checked = new CheckedExporter();
    const c = new IntentProofClient({ exporters: [checked], serialization: { redactKeys: ["password", "apikey", "token", "authorization"] } });
    const app = express();
    app.use(express.json());
    app.use(intentproof({ client: c }));
    app.post(
      "/users",
      recordRoute({ intent: "Create user", action: "users.create" }, (req, res) => {
        res.status(201).json({ echo: req.body });
      }),
    );
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      const body = { ...payload(), headers: { Authorization: "Bearer abc" } };
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/users`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(201);
      await vi.waitFor(() => expect(checked.getEvents()).toHaveLength(1));
      expectRedacted(checked.getEvents()[0]!);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("request objects never carry a token into a record", () => {
  it("rawHeaders, a whole request from recordRoute's captureInput, and req/res passed to a wrapped service", async () => {
    const checked = new CheckedExporter();
    const c = new IntentProofClient({ exporters: [checked], serialization: { redactKeys: ["authorization", "cookie"] } });
    const audit = c.wrap({ intent: "Audit the request", action: "audit.request" }, (_req: unknown, _res: unknown, _raw: string[]) => true);
    const app = express();
    app.use(intentproof({ client: c }));
    app.get(
      "/me",
      recordRoute({ intent: "Show the profile", action: "profile.show", captureInput: ([req]) => req }, (req, res) => {
        audit(req, res, req.rawHeaders);
        res.json({ ok: true, seen: req.headers.authorization === `Bearer ${SECRET}` });
      }),
    );
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/me`, {
        headers: { authorization: `Bearer ${SECRET}`, cookie: `sid=${SECRET}` },
      });
      expect(await response.json()).toEqual({ ok: true, seen: true });
      await vi.waitFor(() => expect(checked.getEvents()).toHaveLength(2));
      const events = checked.getEvents();
      expect(JSON.stringify(events)).not.toContain(SECRET);
      const route = events.find((event) => event.action === "profile.show")!;
      expect(route.inputs).toMatchObject({
        type: "HttpRequest",
        method: "GET",
        url: "/me",
        route: "/me",
        headers: { authorization: "[REDACTED]", cookie: "[REDACTED]" },
      });
      // A summary, not the request's sockets and parser state.
      expect(JSON.stringify(route.inputs).length).toBeLessThan(400);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("includeErrorStack: false removes every stack", () => {
  it("from sync and async failures, their causes, and route errors", async () => {
    const checked = new CheckedExporter();
    const c = new IntentProofClient({ exporters: [checked], includeErrorStack: false });
    const withCause = () => new Error("outer", { cause: new TypeError("inner") });
    expect(() => c.wrap({ intent: "A", action: "a" }, () => {
      throw withCause();
    })()).toThrow("outer");
    await expect(c.wrap({ intent: "B", action: "b" }, async () => {
      throw withCause();
    })()).rejects.toThrow("outer");
    const app = express();
    app.use(intentproof({ client: c }));
    app.get("/boom", recordRoute({ intent: "Boom", action: "boom" }, () => {
      throw withCause();
    }));
    app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).json({ error: "internal" });
    });
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/boom`);
      expect(response.status).toBe(500);
      await vi.waitFor(() => expect(checked.getEvents()).toHaveLength(3));
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    for (const event of checked.getEvents()) {
      expectValidEvent(event);
      expect(event.status).toBe("error");
      expect(event.error!.stack).toBeNull();
      expect(event.error!.cause).toBeDefined();
      expect(event.error!.cause!.stack ?? null).toBeNull();
      expect(JSON.stringify(event)).not.toMatch(/\n\s+at /);
    }
  });
});
