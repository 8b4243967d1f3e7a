// Each decorated request's event must describe the response the client
// actually received: status, error class, aborts, and no host internals. Run
// against a real application on both platforms; every assertion on an event
// is made against the response this test's client got.
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExecutionEvent } from "../../src/index.js";
import { CheckedExporter } from "../support/event-validator.js";
import { outcomeAppModule, SERVED_FILE } from "./fixtures/outcome-app.js";
import { PLATFORMS, startApp, type RunningApp } from "./fixtures/platforms.js";
import { byAction, eventsOf } from "./fixtures/wait.js";

const HEADER = "x-intentproof-correlation-id";
let sequence = 0;
const uniqueId = (label: string) => `${label}-${process.pid}-${++sequence}`;

describe.each(PLATFORMS)("Nest records what the client received, on %s", (platform) => {
  const exporter = new CheckedExporter();
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp(platform, outcomeAppModule(exporter));
  });
  afterAll(async () => {
    await running?.close();
  });

  async function get(path: string, headers: Record<string, string> = {}) {
    const id = uniqueId(path.replace(/\W/g, ""));
    const response = await fetch(running.url + path, { headers: { [HEADER]: id, ...headers } });
    const body = await response.text();
    return { id, response, body };
  }

  /** The event of the route's handler, checked against the status the client got. */
  async function handlerEvent(id: string, action: string, status: number, count = 1): Promise<ExecutionEvent> {
    const event = byAction(await eventsOf(exporter, id, count), action);
    expect(event.attributes?.["http.status_code"]).toBe(status);
    return event;
  }

  it("an exception filter answering 409: error, the exception's class, 409", async () => {
    const { id, response, body } = await get("/outcome/conflict");
    expect(response.status).toBe(409);
    expect(JSON.parse(body)).toEqual({ conflict: true });
    const event = await handlerEvent(id, "outcome.conflict", 409, 2);
    expect(event.status).toBe("error");
    expect(event.error).toMatchObject({ name: "StockError", message: "no stock left" });
  });

  it("an exception filter answering 200: ok, 200", async () => {
    const { id, response, body } = await get("/outcome/idempotent");
    expect(response.status).toBe(200);
    expect(JSON.parse(body)).toEqual({ alreadyDone: true });
    const event = await handlerEvent(id, "outcome.idempotent", 200);
    expect(event.status).toBe("ok");
    expect(event.error).toBeUndefined();
    expect(event.output).toEqual({ alreadyDone: true });
  });

  it("a @Res() handler answering 503 after it returned: error, 503", async () => {
    const { id, response } = await get("/outcome/late");
    expect(response.status).toBe(503);
    const event = await handlerEvent(id, "outcome.late", 503);
    expect(event.status).toBe("error");
    expect(event.error).toMatchObject({ name: "HttpError", code: "503", message: "HTTP 503" });
  });

  it("a handler failing after its @Res() answer went out: the client got 200, the record the error and that it came late", async () => {
    const { id, response, body } = await get("/outcome/sent-then-failed");
    expect(response.status).toBe(200);
    expect(JSON.parse(body)).toEqual({ answered: true });
    const event = await handlerEvent(id, "outcome.sentThenFailed", 200);
    expect(event.status).toBe("error");
    expect(event.error).toMatchObject({ name: "Error", message: "failed after answering" });
    expect(event.attributes?.["http.response_already_sent"]).toBe(true);
  });

  it("a @Res() handler setting 500 after its 200 went out: the record has the 200 the client got", async () => {
    const { id, response, body } = await get("/outcome/status-changed-after-sending");
    expect(response.status).toBe(200);
    expect(body).toBe("id,amount\n");
    const event = await handlerEvent(id, "outcome.statusChangedAfterSending", 200);
    expect(event.status).toBe("ok");
    expect(event.error).toBeUndefined();
  });

  it("a result whose class has toJSON: the record is what the client got, without the field toJSON leaves out", async () => {
    const { id, response, body } = await get("/outcome/account");
    expect(response.status).toBe(200);
    expect(JSON.parse(body)).toEqual({ email: "a@example.com" });
    const event = await handlerEvent(id, "outcome.account", 200);
    expect(event.output).toEqual({ email: "a@example.com" });
    expect(JSON.stringify(event)).not.toContain("secret");
  });

  it("a result an interceptor reshapes (a field left out, the rest wrapped): the record is the body the client got", async () => {
    const { id, response, body } = await get("/outcome/profile");
    expect(response.status).toBe(200);
    expect(JSON.parse(body)).toEqual({ data: { email: "b@example.com" } });
    const event = await handlerEvent(id, "outcome.profile", 200);
    expect(event.status).toBe("ok");
    expect(event.output).toEqual({ data: { email: "b@example.com" } });
    expect(JSON.stringify(event)).not.toContain("secret-hash");
  });

  it("a Map, a Set and a method in the result: the record is the JSON the client got, not their contents", async () => {
    const { id, response, body } = await get("/outcome/collections");
    expect(response.status).toBe(200);
    expect(JSON.parse(body)).toEqual({ roles: {}, tags: {}, label: "grants" });
    const event = await handlerEvent(id, "outcome.collections", 200);
    expect(event.output).toEqual({ roles: {}, tags: {}, label: "grants" });
    expect(JSON.stringify(event)).not.toMatch(/secret-grant|internal-tag/);
  });

  it("a Fastify response schema: the record is the body as the platform serialized it", async () => {
    const { id, response, body } = await get("/outcome/schema");
    expect(response.status).toBe(200);
    const sent = JSON.parse(body) as Record<string, unknown>;
    expect(sent).toEqual(platform === "fastify" ? { id: 7, name: "bob" } : { id: 7, name: "bob", apiKey: "sk_live_schema" });
    const event = await handlerEvent(id, "outcome.schema", 200);
    expect(event.output).toEqual(sent);
  });

  it("a compressed body: the record is the value the client decoded", async () => {
    const { id, response, body } = await get("/outcome/gzipped");
    expect(response.headers.get("content-encoding")).toBe("gzip");
    expect(JSON.parse(body)).toEqual({ zipped: true });
    const event = await handlerEvent(id, "outcome.gzipped", 200);
    expect(event.output).toEqual({ zipped: true });
  });

  it("a compressed body written in pieces: the record is the JSON the client decoded", async () => {
    const { id, body } = await get("/outcome/gzipped-stream");
    expect(JSON.parse(body)).toEqual({ streamed: true });
    const event = await handlerEvent(id, "outcome.gzippedStream", 200);
    expect(event.output).toEqual({ streamed: true });
  });

  it("a body it cannot decode: marked unrecorded, never the result before the interceptors", async () => {
    const { id, response } = await get("/outcome/odd-encoding");
    expect(response.headers.get("content-encoding")).toBe("x-odd");
    const event = await handlerEvent(id, "outcome.oddEncoding", 200);
    expect(event.status).toBe("ok");
    expect(event.output).toBe("[Body:unrecorded]");
    expect(JSON.stringify(event)).not.toContain("secret-hash");
  });

  it("bytes and XML: the record is what the platform sent", async () => {
    const bytes = await get("/outcome/bytes");
    const bytesEvent = await handlerEvent(bytes.id, "outcome.bytes", 200);
    // Nest's Express adapter sends a Buffer result as its JSON form; Fastify sends the bytes.
    expect(bytesEvent.output).toEqual(platform === "express" ? JSON.parse(bytes.body) : `base64:${Buffer.from("hi").toString("base64")}`);
    const xml = await get("/outcome/xml");
    expect(xml.body).toBe("<a>1</a>");
    const xmlEvent = await handlerEvent(xml.id, "outcome.xml", 200);
    expect(xmlEvent.output).toBe("<a>1</a>");
  });

  it("JSON sent under a text label: the structure, redacted, not the text", async () => {
    const { id, response, body } = await get("/outcome/html-labelled-json");
    const event = await handlerEvent(id, "outcome.htmlLabelledJson", response.status);
    if (platform === "express") {
      // Nest's Express adapter sends an object with res.json, which keeps the type already set.
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(JSON.parse(body)).toEqual({ fileId: "f1", apiToken: "tok-secret-1" });
      expect(event).toMatchObject({ status: "ok", output: { fileId: "f1", apiToken: "[REDACTED]" } });
    } else {
      // Fastify refuses to send an object under a non-JSON type.
      expect(response.status).toBe(500);
      expect(event).toMatchObject({ status: "error", error: { code: "FST_ERR_REP_INVALID_PAYLOAD_TYPE" } });
    }
    expect(JSON.stringify(event)).not.toContain("tok-secret-1");
  });

  it("a result changed after it was sent: the record is what the client got", async () => {
    const { id, response, body } = await get("/outcome/balance");
    expect(JSON.parse(body)).toEqual({ owner: "alice", balance: 100 });
    const event = await handlerEvent(id, "outcome.balance", response.status);
    expect(event.output).toEqual({ owner: "alice", balance: 100 });
  });

  it("the decorator's captureOutput hook gets the handler's result, as its type says, not the reshaped body", async () => {
    const { id, response, body } = await get("/outcome/profile-hooked");
    expect(JSON.parse(body)).toEqual({ data: { email: "c@example.com" } });
    const event = await handlerEvent(id, "outcome.profileHooked", response.status);
    expect(event.output).toEqual({ hooked: "c@example.com" });
  });

  it("a retry() interceptor that recovers: the record has the body the client got", async () => {
    const { id, response, body } = await get("/outcome/flaky");
    expect(response.status).toBe(200);
    const sent = JSON.parse(body) as { attempt: number };
    expect(sent.attempt % 2).toBe(0);
    // The second attempt is a decorated call of its own, inside the route's.
    const events = await eventsOf(exporter, id, 2);
    const route = events.find((e) => e.attributes?.["http.status_code"] !== undefined)!;
    expect(route.action).toBe("outcome.flaky");
    expect(route.attributes?.["http.status_code"]).toBe(200);
    expect(route.status).toBe("ok");
    expect(route.output).toEqual(sent);
  });

  it("server-sent events: the client gets the stream, the record its last value; a HEAD request gets no body and is ok", async () => {
    const { id, response, body } = await get("/outcome/ticks");
    expect(response.status).toBe(200);
    expect(body).toContain('data: {"tick":1}');
    const event = await handlerEvent(id, "outcome.ticks", 200);
    expect(event.status).toBe("ok");
    expect(event.output).toEqual({ data: { tick: 1 } });

    const headId = uniqueId("ticks-head");
    const head = await fetch(running.url + "/outcome/ticks", { method: "HEAD", headers: { [HEADER]: headId } });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    const headEvent = await handlerEvent(headId, "outcome.ticks", 200);
    expect(headEvent.status).toBe("ok");
    expect(headEvent.output).toBeNull();
  });

  it("a 205 whose handler returned a value: the client got no body, so the record has no output", async () => {
    const { id, response, body } = await get("/outcome/reset");
    expect(response.status).toBe(205);
    expect(body).toBe("");
    const event = await handlerEvent(id, "outcome.reset", 205);
    expect(event.output).toBeNull();
  });

  it("a HEAD request to a GET route: the client got no body, so the record has no output", async () => {
    const id = uniqueId("head");
    const response = await fetch(running.url + "/outcome/account", { method: "HEAD", headers: { [HEADER]: id } });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("");
    const event = await handlerEvent(id, "outcome.account", 200);
    expect(event.status).toBe("ok");
    expect(event.attributes?.["http.method"]).toBe("HEAD");
    expect(event.output).toBeNull();
  });

  it("a 204 (@HttpCode) whose handler returned a value: the client got no body, so the record has no output", async () => {
    const { id, response, body } = await get("/outcome/no-content");
    expect(response.status).toBe(204);
    expect(body).toBe("");
    const event = await handlerEvent(id, "outcome.noContent", 204);
    expect(event.status).toBe("ok");
    expect(event.output).toBeNull();
  });

  it.each(["bigint", "cycle"])("a %s result Nest cannot serialize: the client got 500, so does the record", async (kind) => {
    const { id, response } = await get(`/outcome/${kind}`);
    expect(response.status).toBe(500);
    const event = await handlerEvent(id, `outcome.${kind}`, 500);
    expect(event.status).toBe("error");
    // Express serializes inside Nest's pipeline; Fastify after it, seen through its onError hook.
    expect(event.error?.name).toBe("TypeError");
  });

  it("an interceptor failing after the handler returned: error, 500", async () => {
    const { id, response } = await get("/outcome/after");
    expect(response.status).toBe(500);
    const event = await handlerEvent(id, "outcome.after", 500);
    expect(event.status).toBe("error");
    expect(event.error).toMatchObject({ name: "Error", message: "interceptor broke after the handler" });
  });

  it("a StreamableFile: the client gets the file, the record a summary without the path", async () => {
    const { id, response, body } = await get("/outcome/file");
    expect(response.status).toBe(200);
    expect(body).toContain("StreamableFile result must never put its path");
    const event = await handlerEvent(id, "outcome.file", 200);
    expect(event.status).toBe("ok");
    expect(event.output).toBe("[Stream:StreamableFile]");
    expect(JSON.stringify(event)).not.toContain(SERVED_FILE);
  });

  it("a global guard's refusal keeps its exception class and status", async () => {
    const { id, response } = await get("/outcome/secret", { "x-no-token": "1" });
    expect(response.status).toBe(401);
    const event = await handlerEvent(id, "outcome.secret", 401);
    expect(event.status).toBe("error");
    expect(event.error).toMatchObject({ name: "UnauthorizedException", code: "401", message: "token required" });
    expect(event.output).toBeUndefined();
  });

  it("a method guard's refusal keeps its exception class and status", async () => {
    const { id, response } = await get("/outcome/forbidden");
    expect(response.status).toBe(403);
    const event = await handlerEvent(id, "outcome.forbidden", 403);
    expect(event.error).toMatchObject({ name: "ForbiddenException", code: "403" });
  });

  it("a client that leaves before the response: the record says so, with no status it never got", async () => {
    const id = uniqueId("abort");
    const url = new URL(running.url + "/outcome/slow");
    const clientSaw = await new Promise<string>((resolve) => {
      const outgoing = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, headers: { [HEADER]: id } }, () =>
        resolve("a response"),
      );
      outgoing.on("error", (error) => resolve(`error ${(error as NodeJS.ErrnoException).code}`));
      outgoing.end();
      setTimeout(() => outgoing.destroy(), 40);
    });
    expect(clientSaw).toBe("error ECONNRESET");
    const [event] = await eventsOf(exporter, id, 1);
    expect(event!.action).toBe("outcome.slow");
    expect(event!.status).toBe("error");
    expect(event!.error?.name).toBe("ClientAbortedError");
    expect(event!.attributes?.["http.client_aborted"]).toBe(true);
    expect(event!.attributes?.["http.status_code"]).toBeUndefined();
    expect(event!.durationMs).toBeGreaterThanOrEqual(100); // the handler's own time: it ran to its end
  });

  it.each([
    ["a Readable", "stream-fails", "outcome.streamFails"],
    ["an async generator", "generator-fails", "outcome.generatorFails"],
  ])("%s body the server cuts off midway: error, not blamed on the client", async (_kind, path, action) => {
    const id = uniqueId(path);
    const response = await fetch(`${running.url}/outcome/${path}`, { headers: { [HEADER]: id } });
    expect(response.status).toBe(200);
    // The body stops short: the server closed the connection, the client did not.
    await expect(response.text()).rejects.toThrow();
    const event = await handlerEvent(id, action, 200);
    expect(event.status).toBe("error");
    expect(event.error).toMatchObject({ name: "IncompleteResponseError" });
    expect(event.attributes?.["http.client_aborted"]).toBeUndefined();
    expect(event.attributes?.["http.response_already_sent"]).toBe(true);
  });

  it("a promise of an Observable: the record has the value the client got, and the response's outcome", async () => {
    const ok = await get("/outcome/observable-later");
    expect(ok.response.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ x: 1 });
    const event = await handlerEvent(ok.id, "outcome.observableLater", 200);
    expect(event.status).toBe("ok");
    expect(event.output).toEqual({ x: 1 });

    const failed = await get("/outcome/observable-later-fails");
    expect(failed.response.status).toBe(409);
    const failure = await handlerEvent(failed.id, "outcome.observableLaterFails", 409);
    expect(failure.status).toBe("error");
    expect(failure.error).toMatchObject({ name: "ConflictException", code: "409", message: "taken meanwhile" });
  });

  it("an interceptor re-correlating the chain does not hide the handler; services follow the new id", async () => {
    const { id, response, body } = await get("/outcome/recorrelated");
    expect(response.status).toBe(200);
    expect(JSON.parse(body)).toEqual({ id: `${id}-inner` });
    const [event] = await eventsOf(exporter, `${id}-inner`, 2).then((events) => [byAction(events, "outcome.recorrelated"), events]);
    expect((event as ExecutionEvent).attributes).toEqual({ "http.method": "GET", "http.route": "/outcome/recorrelated", "http.status_code": 200 });
    expect((event as ExecutionEvent).output).toEqual({ id: `${id}-inner` });
  });

  it("a request-scoped controller's handler is recorded like any other", async () => {
    const { id, response, body } = await get("/scoped");
    expect(response.status).toBe(200);
    const event = await handlerEvent(id, "outcome.scoped", 200, 2);
    expect(event.status).toBe("ok");
    expect(event.output).toEqual(JSON.parse(body));
  });

  it("emits the service's event before the handler's, both with the request's id", async () => {
    const { id, response } = await get("/outcome/conflict");
    expect(response.status).toBe(409);
    const events = await eventsOf(exporter, id, 2);
    expect(events.map((event) => event.action)).toEqual(["stock.reserve", "outcome.conflict"]);
    // The handler's event spans the service's.
    const [service, handler] = events;
    expect(Date.parse(handler!.startedAt)).toBeLessThanOrEqual(Date.parse(service!.startedAt));
    expect(Date.parse(handler!.completedAt)).toBeGreaterThanOrEqual(Date.parse(service!.completedAt));
  });
});
