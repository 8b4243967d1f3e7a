// What a tester found with `@Res()` handlers that write for themselves, on
// both platforms, against the response this test's client got:
// - headers given to `writeHead` only (Fastify sends every header that way;
//   nothing calls `setHeader` first when the correlation header is not
//   echoed) still decide how the body is read, so JSON is parsed back and
//   redacted, and a gzip body is decompressed;
// - a client that left before a handler's late answer is a client that left,
//   on every Node (Node 20 reported such a response finished);
// - a client that left while a guard was still deciding gets one record,
//   the handler's, saying the client left, not an `ok` one besides;
// - a handler still running once its response has closed is waited for
//   5 s (as on Express), then recorded with what the client got.
import { request as httpRequest } from "node:http";
import { gzipSync } from "node:zlib";
import type { ServerResponse } from "node:http";
import { Controller, Get, Injectable, Module, Res, UseGuards, type CanActivate } from "@nestjs/common";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IntentProof, IntentProofModule } from "../../src/nestjs.js";
import { CheckedExporter } from "../support/event-validator.js";
import { PLATFORMS, startApp, type RunningApp } from "./fixtures/platforms.js";
import { eventsOf, waitFor } from "./fixtures/wait.js";

const HEADER = "x-intentproof-correlation-id";
let sequence = 0;
const uniqueId = (label: string) => `${label}-${process.pid}-${++sequence}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Node's response under either platform's object (Fastify's reply holds it in `raw`). */
const nodeResponse = (res: { raw?: ServerResponse } & Partial<ServerResponse>): ServerResponse => (res.raw ?? res) as ServerResponse;

let guardEntered: () => void = () => undefined;

@Injectable()
class SlowGuard implements CanActivate {
  async canActivate(): Promise<boolean> {
    guardEntered();
    await sleep(300);
    return true;
  }
}

@Controller("raw")
class RawController {
  handlerRuns = 0;

  @Get("json")
  @IntentProof({ intent: "Answer JSON through writeHead", action: "raw.json" })
  json(@Res() res: ServerResponse): void {
    nodeResponse(res).writeHead(200, { "Content-Type": "application/json" });
    nodeResponse(res).end(JSON.stringify({ password: "raw-secret", ok: true }));
  }

  @Get("json-array")
  @IntentProof({ intent: "Answer JSON, headers as a flat array", action: "raw.jsonArray" })
  jsonArray(@Res() res: ServerResponse): void {
    nodeResponse(res).writeHead(200, "OK", ["content-type", "application/json"]);
    nodeResponse(res).end(JSON.stringify({ password: "array-secret" }));
  }

  @Get("gzip")
  @IntentProof({ intent: "Answer gzipped JSON through writeHead", action: "raw.gzip" })
  gzip(@Res() res: ServerResponse): void {
    nodeResponse(res).writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
    nodeResponse(res).end(gzipSync(JSON.stringify({ password: "gzip-secret" })));
  }

  @Get("result")
  @IntentProof({ intent: "Return a result", action: "raw.result" })
  result(): { password: string; ok: number } {
    return { password: "result-secret", ok: 1 };
  }

  @Get("late")
  @IntentProof({ intent: "Answer after a while", action: "raw.late" })
  async late(@Res() res: { status(code: number): { send(body: unknown): void } }): Promise<void> {
    await sleep(300);
    res.status(201).send({ charged: true });
  }

  @Get("answered-then-hangs")
  @IntentProof({ intent: "Answer, then never finish", action: "raw.answeredThenHangs" })
  async answeredThenHangs(@Res() res: { status(code: number): { send(body: unknown): void } }): Promise<void> {
    res.status(200).send({ answered: true });
    await new Promise(() => undefined);
  }

  @Get("guarded")
  @UseGuards(SlowGuard)
  @IntentProof({ intent: "Run once a guard allows it", action: "raw.guarded" })
  guarded(): { ran: boolean } {
    this.handlerRuns++;
    return { ran: true };
  }
}

describe.each(PLATFORMS)("Nest records what @Res() handlers wrote, on %s", (platform) => {
  const exporter = new CheckedExporter();
  let running: RunningApp;
  let controller: RawController;

  beforeAll(async () => {
    @Module({
      // No correlation header is echoed: nothing sets a header before the platform's writeHead.
      imports: [IntentProofModule.forRoot({ exporters: [exporter], correlation: { echoHeader: false }, serialization: { redactKeys: ["password"] } })],
      controllers: [RawController],
      providers: [SlowGuard],
    })
    class RawAppModule {}
    running = await startApp(platform, RawAppModule, {
      configure: (app) => {
        if (platform === "express") (app.getHttpAdapter().getInstance() as { disable(name: string): void }).disable("x-powered-by");
      },
    });
    controller = running.app.get(RawController);
  });
  afterAll(async () => {
    await running?.close();
  });

  it.each([
    ["json", "raw.json", { password: "[REDACTED]", ok: true }],
    ["json-array", "raw.jsonArray", { password: "[REDACTED]" }],
    ["gzip", "raw.gzip", { password: "[REDACTED]" }],
    ["result", "raw.result", { password: "[REDACTED]", ok: 1 }],
  ])("/%s: JSON whose type only writeHead saw is parsed back and redacted", async (path, action, output) => {
    const id = uniqueId(path);
    const response = await fetch(`${running.url}/raw/${path}`, { headers: { [HEADER]: id } });
    expect(response.status).toBe(200);
    expect(response.headers.get(HEADER)).toBeNull();
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(JSON.stringify(await response.json())).toContain("-secret");
    const [event] = await eventsOf(exporter, id, 1);
    expect(event).toMatchObject({ action, status: "ok", output, attributes: { "http.status_code": 200 } });
    expect(JSON.stringify(event)).not.toContain("-secret");
  });

  /** Sends a GET; `leave()` destroys the connection; `outcome` says what the client saw. */
  function openRequest(path: string, id: string): { leave(): void; outcome: Promise<string> } {
    const url = new URL(`${running.url}${path}`);
    let outgoing!: ReturnType<typeof httpRequest>;
    const outcome = new Promise<string>((resolve) => {
      outgoing = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, headers: { [HEADER]: id } }, () => resolve("a response"));
      outgoing.on("error", (error) => resolve(`error ${(error as NodeJS.ErrnoException).code}`));
      outgoing.end();
    });
    return { leave: () => outgoing.destroy(), outcome };
  }

  it("a client that left before a @Res() handler's late answer: client_aborted, no status, on every Node", async () => {
    const id = uniqueId("late");
    const request = openRequest("/raw/late", id);
    setTimeout(() => request.leave(), 50);
    expect(await request.outcome).toBe("error ECONNRESET");
    const [event] = await eventsOf(exporter, id, 1);
    expect(event).toMatchObject({ action: "raw.late", status: "error", error: { name: "ClientAbortedError" } });
    expect(event!.attributes?.["http.client_aborted"]).toBe(true);
    expect(event!.attributes?.["http.status_code"]).toBeUndefined();
    expect(event!.output).toBeUndefined();
  });

  it("a @Res() handler that answers and never settles: recorded 5 s after the response closed, with the answer", async () => {
    const id = uniqueId("hangs");
    const response = await fetch(`${running.url}/raw/answered-then-hangs`, { headers: { [HEADER]: id } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ answered: true });
    const closedAt = Date.now();
    const event = await waitFor(() => exporter.getEvents().find((candidate) => candidate.correlationId === id), "the handler's record", 8000);
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(4900);
    expect(event).toMatchObject({ action: "raw.answeredThenHangs", status: "ok", output: { answered: true }, attributes: { "http.status_code": 200 } });
  });

  it("a client that left while a guard decided: one record, the handler's, saying the client left", async () => {
    const id = uniqueId("guarded");
    const runsBefore = controller.handlerRuns;
    const entered = new Promise<void>((resolve) => (guardEntered = resolve));
    const request = openRequest("/raw/guarded", id);
    await entered;
    request.leave();
    expect(await request.outcome).toBe("error ECONNRESET");
    // Nest still lets the guard finish and calls the handler.
    await waitFor(() => (controller.handlerRuns > runsBefore ? true : undefined), "the handler to run");
    const events = await eventsOf(exporter, id, 1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: "raw.guarded", status: "error", error: { name: "ClientAbortedError" } });
    expect(events[0]!.attributes).toMatchObject({ "http.method": "GET", "http.route": "/raw/guarded", "http.client_aborted": true });
    // The handler's own time: it ran to its end, after the guard.
    expect(events[0]!.durationMs).toBeLessThan(250);
  });
});
