/**
 * Host objects are summarised, never copied field by field (issue 9 item 5,
 * issue 12 item 1): HTTP requests and responses (Node, Express, Fastify),
 * streams, sockets, Nest's StreamableFile and other event emitters. With
 * `authorization`/`cookie` in `redactKeys`, no token reaches a record through
 * `req.rawHeaders`, a whole request returned by `captureInput`, or a request
 * passed as an argument.
 */
import { StreamableFile } from "@nestjs/common";
import express from "express";
import Fastify from "fastify";
import { EventEmitter } from "node:events";
import { createReadStream, mkdtempSync, writeFileSync } from "node:fs";
import { Agent, createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { connect, createServer as createNetServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { delay, of } from "rxjs";
import { afterEach, describe, expect, it } from "vitest";
import { createIntentProofClient, snapshot } from "../../src/index.js";
import type { ExecutionEvent } from "../../src/index.js";
import { CheckedExporter } from "../support/event-validator.js";

const TOKEN = "Bearer tok-9f8e7d6c5b4a";
const COOKIE = "session=ck-1234567890abcdef";
const QUERY_KEY = "qk-00112233";
const redactKeys = ["authorization", "cookie", "api_key"];

function recordingClient() {
  const checked = new CheckedExporter();
  const client = createIntentProofClient({ exporters: [checked], serialization: { redactKeys } });
  return { client, events: () => checked.getEvents() };
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

async function sendRequest(port: number, path: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: "POST",
    headers: { authorization: TOKEN, cookie: COOKIE, "content-type": "application/json", "x-custom": "kept-out" },
    body: JSON.stringify({ sku: "A-1" }),
  });
  await response.text();
  return response.status;
}

function expectNoSecrets(events: ExecutionEvent[]): void {
  const text = JSON.stringify(events);
  expect(text).not.toContain("tok-9f8e7d6c5b4a");
  expect(text).not.toContain("ck-1234567890abcdef");
  expect(text).not.toContain(QUERY_KEY);
}

const requestSummary = {
  type: "HttpRequest",
  method: "POST",
  url: "/orders/7?api_key=[REDACTED]&page=2",
  headers: { "content-type": "application/json", authorization: "[REDACTED]", cookie: "[REDACTED]" },
};

describe("HTTP messages become a small summary", () => {
  it("Node: a request passed as an argument, its rawHeaders, and a whole request from captureInput", async () => {
    const { client, events } = recordingClient();
    const handle = client.wrap({ intent: "Handle an order", action: "orders.handle" }, (_req: IncomingMessage, _res: ServerResponse) => "done");
    const headersOnly = client.wrap({ intent: "Log headers", action: "orders.headers" }, (_raw: string[]) => undefined);
    const viaHook = client.wrap(
      { intent: "Capture the request", action: "orders.capture", captureInput: (args: unknown[]) => args[0] },
      (_req: IncomingMessage) => undefined,
    );
    const server = createServer((req, res) => {
      handle(req, res);
      headersOnly(req.rawHeaders);
      viaHook(req);
      res.end("ok");
    });
    const port = await listen(server);
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    expect(await sendRequest(port, `/orders/7?api_key=${QUERY_KEY}&page=2`)).toBe(200);

    const [handled, headers, captured] = events();
    expect(handled!.inputs["0"]).toEqual({
      ...requestSummary,
      headers: { ...requestSummary.headers, host: `127.0.0.1:${port}`, "content-length": "13", accept: "*/*", "user-agent": "node" },
    });
    expect(Object.keys((handled!.inputs["0"] as { headers: object }).headers)).not.toContain("x-custom");
    expect(handled!.inputs["1"]).toEqual({ type: "HttpResponse", statusCode: 200, headersSent: false });
    // rawHeaders is a flat [name, value, …] list: values after a redacted name are redacted.
    const raw = headers!.inputs["0"] as string[];
    expect(raw[raw.findIndex((entry) => entry.toLowerCase() === "authorization") + 1]).toBe("[REDACTED]");
    expect(raw[raw.findIndex((entry) => entry.toLowerCase() === "cookie") + 1]).toBe("[REDACTED]");
    expect(raw).toContain("kept-out");
    expect(captured!.inputs).toMatchObject({ type: "HttpRequest", method: "POST" });
    expectNoSecrets(events());
    // A summary, not 12 KB of sockets and parsers.
    expect(JSON.stringify(handled!.inputs).length).toBeLessThan(600);
  });

  it("Express: req and res (with the route) passed to a wrapped service", async () => {
    const { client, events } = recordingClient();
    const service = client.wrap({ intent: "Create an order", action: "orders.create" }, (_req: unknown, _res: unknown) => 1);
    const app = express();
    app.post("/orders/:id", (req, res) => {
      service(req, res);
      res.json({ ok: true });
    });
    const server = createServer(app);
    const port = await listen(server);
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    expect(await sendRequest(port, `/orders/7?api_key=${QUERY_KEY}&page=2`)).toBe(200);
    const [event] = events();
    expect(event!.inputs["0"]).toMatchObject({ ...requestSummary, route: "/orders/:id" });
    expect(event!.inputs["1"]).toEqual({ type: "HttpResponse", statusCode: 200, headersSent: false });
    expectNoSecrets(events());
  });

  it("Fastify: the request and reply wrappers are summarised from their raw messages", async () => {
    const { client, events } = recordingClient();
    const service = client.wrap({ intent: "Create an order", action: "orders.create" }, (_req: unknown, _reply: unknown) => 1);
    const app = Fastify();
    app.post("/orders/:id", async (request, reply) => {
      service(request, reply);
      return { ok: true };
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    closers.push(() => app.close());
    const port = (app.server.address() as AddressInfo).port;
    expect(await sendRequest(port, `/orders/7?api_key=${QUERY_KEY}&page=2`)).toBe(200);
    const [event] = events();
    expect(event!.inputs["0"]).toMatchObject({ ...requestSummary, route: "/orders/:id" });
    expect(event!.inputs["1"]).toEqual({ type: "HttpResponse", statusCode: 200, headersSent: false });
    expectNoSecrets(events());
  });

  it("a route parameter named in redactKeys: its path segments are redacted in url, on Express and Fastify", async () => {
    const { client, events } = recordingClient();
    const service = client.wrap({ intent: "Reset a password", action: "password.reset" }, (_req: unknown) => 1);
    const express5 = express();
    express5.post("/reset/:api_key/{*rest}", (req, res) => {
      service(req);
      res.json({ ok: true });
    });
    const server = createServer(express5);
    const expressPort = await listen(server);
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    const fastify = Fastify();
    fastify.post("/reset/:api_key", async (request) => {
      service(request);
      return { ok: true };
    });
    await fastify.listen({ port: 0, host: "127.0.0.1" });
    closers.push(() => fastify.close());
    const fastifyPort = (fastify.server.address() as AddressInfo).port;

    // Percent-encoded in the path, decoded in params.
    expect(await sendRequest(expressPort, `/reset/${QUERY_KEY}%2Fx/${QUERY_KEY}?page=2`)).toBe(200);
    expect(await sendRequest(fastifyPort, `/reset/${QUERY_KEY}?api_key=${QUERY_KEY}`)).toBe(200);
    const [viaExpress, viaFastify] = events();
    // The wildcard's segment holds the same value but is not a redacted parameter's.
    expect((viaExpress!.inputs["0"] as { url: string }).url).toBe(`/reset/[REDACTED]/${QUERY_KEY}?page=2`);
    expect((viaFastify!.inputs["0"] as { url: string }).url).toBe("/reset/[REDACTED]?api_key=[REDACTED]");
  });

  it("caps every string of a summary at maxStringLength", () => {
    const fake = Object.assign(new EventEmitter(), {
      httpVersion: "1.1",
      method: "GET",
      url: `/${"a".repeat(100)}`,
      headers: { "user-agent": "u".repeat(100) },
      rawHeaders: [],
    });
    expect(snapshot(fake, { maxStringLength: 8 })).toEqual({
      type: "HttpRequest",
      method: "GET",
      url: "/aaaaaaa[Truncated]",
      headers: { "user-agent": "uuuuuuuu[Truncated]" },
    });
  });
});

describe("streams, sockets and emitters become a short token", () => {
  it("a file stream and Nest's StreamableFile never show their path", async () => {
    const dir = mkdtempSync(join(tmpdir(), "intentproof-host-"));
    const file = join(dir, "secret-report.csv");
    writeFileSync(file, "a,b\n");
    const stream = createReadStream(file);
    closers.push(async () => void stream.destroy());
    const streamable = new StreamableFile(createReadStream(file));
    closers.push(async () => void streamable.getStream().destroy());
    const copy = snapshot({ stream, streamable, nested: [stream] });
    expect(copy).toEqual({ stream: "[Stream:ReadStream]", streamable: "[Stream:StreamableFile]", nested: ["[Stream:ReadStream]"] });
    expect(JSON.stringify(copy)).not.toContain(dir);
  });

  it("a web ReadableStream, a fetch Response's body and an Observable, whose fields are internals", async () => {
    const web = new ReadableStream({ start: (controller) => controller.enqueue("x") });
    const body = new Response("report").body!;
    closers.push(async () => void (await Promise.all([web.cancel(), body.cancel()])));
    class Feed {
      subscribe() {}
      pipe() {}
    }
    expect(snapshot({ web, body, observable: of(1).pipe(delay(1)), feed: new Feed() })).toEqual({
      web: "[Stream:ReadableStream]",
      body: "[Stream:ReadableStream]",
      observable: "[Observable:Observable]",
      feed: "[Observable:Feed]",
    });
  });

  it("a socket, an agent, a server and a custom emitter", async () => {
    const server = createNetServer((socket) => socket.end());
    const port = await new Promise<number>((resolve) =>
      server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
    );
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    const socket = connect(port, "127.0.0.1");
    closers.push(async () => void socket.destroy());
    class OrderEvents extends EventEmitter {
      internalQueue = ["x"];
    }
    expect(snapshot([socket, new Agent(), server, new OrderEvents()])).toEqual([
      "[Stream:Socket]",
      "[EventEmitter:Agent]",
      "[EventEmitter:Server]",
      "[EventEmitter:OrderEvents]",
    ]);
  });
});

describe("flat header arrays", () => {
  it("redacts the value after a redacted name at an even position, case-insensitively", () => {
    const rawHeaders = ["Host", "h", "Authorization", TOKEN, "X-Note", "authorization", "Cookie", COOKIE];
    expect(snapshot({ rawHeaders }, { redactKeys })).toEqual({
      rawHeaders: ["Host", "h", "Authorization", "[REDACTED]", "X-Note", "authorization", "Cookie", "[REDACTED]"],
    });
  });

  it("leaves arrays alone when nothing is redacted", () => {
    expect(snapshot(["authorization", "x"])).toEqual(["authorization", "x"]);
  });
});
