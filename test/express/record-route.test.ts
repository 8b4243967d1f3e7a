import express, { type Express, type NextFunction, type Request, type Response } from "express";
import { request as httpRequest } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { client as defaultClient, createIntentProofClient, getCorrelationId, type IntentProofClient, type IntentProofConfig } from "../../src/index.js";
import { intentproof, recordRoute } from "../../src/express.js";
import type { ExecutionEvent } from "../../src/core/types.js";
import { CheckedExporter, expectValidEvent, isUuidV4 } from "../support/event-validator.js";
import { serve, waitForEvents, type Served } from "./serve.js";

const HEADER = "x-intentproof-correlation-id";
const REFUND = { intent: "Initiate refund", action: "refunds.create" } as const;
const servers: Served[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function checkedClient(config?: IntentProofConfig): { client: IntentProofClient; exporter: CheckedExporter } {
  const exporter = new CheckedExporter();
  return { client: createIntentProofClient({ ...config, exporters: [exporter] }), exporter };
}

async function start(app: Express): Promise<string> {
  const served = await serve(app);
  servers.push(served);
  return served.url;
}

/** express.json + intentproof({ client }) + `routes`, plus an error handler answering `{ error }` with 500. */
async function startApp(client: IntentProofClient, routes: (app: Express) => void): Promise<string> {
  const app = express();
  app.use(express.json());
  app.use(intentproof({ client }));
  routes(app);
  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ error: error.message });
  });
  return start(app);
}

async function oneEvent(exporter: CheckedExporter): Promise<ExecutionEvent> {
  const events = await waitForEvents(exporter, 1);
  expect(events).toHaveLength(1);
  return events[0]!;
}

describe("recordRoute: successful requests", () => {
  it("records inputs, the json body, status ok and the http attributes", async () => {
    const { client, exporter } = checkedClient();
    const url = await startApp(client, (app) =>
      app.post(
        "/refunds/:orderId",
        recordRoute(REFUND, async (req, res) => {
          await new Promise((resolve) => setTimeout(resolve, 2));
          res.status(201).json({ refundId: "rf_1", orderId: req.params.orderId, amount: req.body.amount });
        }),
      ),
    );
    const response = await fetch(`${url}/refunds/ord_9?dryRun=false`, {
      method: "POST",
      headers: { "content-type": "application/json", [HEADER]: "corr-ok" },
      body: JSON.stringify({ amount: 1250 }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get(HEADER)).toBe("corr-ok");
    const event = await oneEvent(exporter);
    expect(event).toMatchObject({
      intent: REFUND.intent,
      action: REFUND.action,
      correlationId: "corr-ok",
      status: "ok",
      inputs: { params: { orderId: "ord_9" }, query: { dryRun: "false" }, body: { amount: 1250 } },
      output: { refundId: "rf_1", orderId: "ord_9", amount: 1250 },
      attributes: { "http.method": "POST", "http.route": "/refunds/:orderId", "http.status_code": 201 },
    });
    expect(event.error).toBeUndefined();
  });

  it("leaves empty params, query and body out of the inputs", async () => {
    const { client, exporter } = checkedClient();
    const url = await startApp(client, (app) => app.get("/ping", recordRoute({ intent: "Ping", action: "ping" }, (_req, res) => res.send("pong"))));
    await fetch(`${url}/ping`);
    const event = await oneEvent(exporter);
    expect(event.inputs).toEqual({});
    expect(event.output).toBe("pong");
  });

  it("records a sync handler and a 404 the handler sends as status ok", async () => {
    const { client, exporter } = checkedClient();
    const url = await startApp(client, (app) =>
      app.get(
        "/orders/:id",
        recordRoute({ intent: "Find order", action: "orders.find" }, (req, res) => {
          res.status(404).json({ missing: req.params.id });
        }),
      ),
    );
    const response = await fetch(`${url}/orders/o-1`);
    expect(response.status).toBe(404);
    const event = await oneEvent(exporter);
    expect(event.status).toBe("ok");
    expect(event.output).toEqual({ missing: "o-1" });
    expect(event.attributes).toMatchObject({ "http.status_code": 404, "http.route": "/orders/:id" });
  });

  it("records nothing for a 404 Express sends because no route matched (the id is still echoed)", async () => {
    const { client, exporter } = checkedClient();
    const url = await startApp(client, (app) => app.get("/known", recordRoute(REFUND, (_req, res) => res.json({}))));
    const response = await fetch(`${url}/unknown`, { headers: { [HEADER]: "no-route" } });
    expect(response.status).toBe(404);
    expect(response.headers.get(HEADER)).toBe("no-route");
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(exporter.getEvents()).toEqual([]);
  });

  it("parses a JSON string sent with res.send and a JSON content type; labelled JSON but not JSON is unrecorded, not raw text", async () => {
    const { client, exporter } = checkedClient({ serialization: { redactKeys: ["token"] } });
    const url = await startApp(client, (app) => {
      app.get("/raw-json", recordRoute(REFUND, (_req, res) => res.type("application/json").send('{"ok":true,"n":[1,2]}')));
      app.get("/not-json", recordRoute(REFUND, (_req, res) => res.type("application/json").send('{"token":"sk_live_bad", oops')));
      app.get("/json-string", recordRoute(REFUND, (_req, res) => res.json('{"stays":"a string"}')));
      app.get("/bom", recordRoute(REFUND, (_req, res) => res.type("application/json").send('\uFEFF{"token":"sk_live_bom"}')));
    });
    for (const path of ["/raw-json", "/not-json", "/json-string", "/bom"]) await fetch(`${url}${path}`);
    const events = await waitForEvents(exporter, 4);
    expect(events.map((e) => e.output)).toEqual([{ ok: true, n: [1, 2] }, "[Body:unrecorded]", '{"stays":"a string"}', { token: "[REDACTED]" }]);
    expect(JSON.stringify(events)).not.toContain("sk_live");
  });

  it("a captureOutput hook that returns what it got records no more than no hook: bytes under a JSON type reach it as their JSON", async () => {
    const { client, exporter } = checkedClient({ serialization: { redactKeys: ["token"] } });
    const json = Buffer.from('{"token":"sk_live_hook","id":1}');
    const url = await startApp(client, (app) => {
      app.get("/hook", recordRoute({ ...REFUND, captureOutput: (body: unknown) => body }, (_req, res) => res.type("json").send(json)));
    });
    await fetch(`${url}/hook`);
    expect((await oneEvent(exporter)).output).toEqual({ token: "[REDACTED]", id: 1 });
  });

  it("records a text body as a string, res.send(object) as the object, and bytes as base64", async () => {
    const { client, exporter } = checkedClient();
    const url = await startApp(client, (app) => {
      app.get("/text", recordRoute(REFUND, (_req, res) => res.send("<p>hi</p>")));
      app.get("/object", recordRoute(REFUND, (_req, res) => res.send({ via: "send" })));
      app.get("/bytes", recordRoute(REFUND, (_req, res) => res.send(Buffer.from([1, 2, 3]))));
      app.get("/empty", recordRoute(REFUND, (_req, res) => res.status(204).end()));
    });
    for (const path of ["/text", "/object", "/bytes", "/empty"]) await fetch(`${url}${path}`);
    const events = await waitForEvents(exporter, 4);
    expect(events.map((e) => e.output)).toEqual(["<p>hi</p>", { via: "send" }, "base64:AQID", null]);
    expect(events[3]!.attributes?.["http.status_code"]).toBe(204);
  });

  it("parses a JSON body longer than maxStringLength, so redaction reaches it; past 4 × maxStringLength it is unrecorded, never raw text", async () => {
    const { client, exporter } = checkedClient();
    const options = { ...REFUND, maxStringLength: 100, redactKeys: ["token"] };
    const url = await startApp(client, (app) => {
      app.get("/long", recordRoute(options, (_req, res) => res.type("json").send(JSON.stringify({ token: "sk_live_1", data: "x".repeat(300) }))));
      app.get("/longer", recordRoute(options, (_req, res) => res.json({ token: "sk_live_2", data: "x".repeat(500) })));
    });
    await fetch(`${url}/long`);
    await fetch(`${url}/longer`);
    const events = await waitForEvents(exporter, 2);
    expect(events[0]!.output).toEqual({ token: "[REDACTED]", data: "x".repeat(100) + "[Truncated]" });
    expect(events[1]!.output).toBe("[Body:unrecorded]");
    expect(JSON.stringify(events)).not.toContain("sk_live");
  });
});

describe("recordRoute: failures", () => {
  it("records a thrown error and still passes it to the error handler", async () => {
    const { client, exporter } = checkedClient();
    class RefundRejected extends Error {
      override name = "RefundRejected";
      code = "REFUND_REJECTED";
    }
    const url = await startApp(client, (app) =>
      app.post(
        "/refunds",
        recordRoute(REFUND, () => {
          throw new RefundRejected("card expired");
        }),
      ),
    );
    const response = await fetch(`${url}/refunds`, { method: "POST" });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: "card expired" });
    const event = await oneEvent(exporter);
    expect(event.status).toBe("error");
    expect(event.error).toMatchObject({ name: "RefundRejected", message: "card expired", code: "REFUND_REJECTED" });
    expect(event.attributes).toMatchObject({ "http.method": "POST", "http.route": "/refunds", "http.status_code": 500 });
  });

  it("records a rejected async handler exactly once and reaches the error handler", async () => {
    const { client, exporter } = checkedClient();
    const url = await startApp(client, (app) =>
      app.get(
        "/reject",
        recordRoute(REFUND, async () => {
          await new Promise((resolve) => setTimeout(resolve, 2));
          throw new TypeError("bad amount");
        }),
      ),
    );
    const response = await fetch(`${url}/reject`);
    expect(await response.json()).toEqual({ error: "bad amount" });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const event = await oneEvent(exporter);
    expect(event.error).toMatchObject({ name: "TypeError", message: "bad amount" });
  });

  it("records an error passed to next(err), and Express's default handler still answers", async () => {
    const { client, exporter } = checkedClient();
    const app = express();
    app.use(intentproof({ client }));
    app.get(
      "/next-error",
      recordRoute(REFUND, (_req, _res, next) => {
        setTimeout(() => next(Object.assign(new Error("downstream failed"), { status: 502 })), 1);
      }),
    );
    const url = await start(app);
    const response = await fetch(`${url}/next-error`);
    expect(response.status).toBe(502);
    const event = await oneEvent(exporter);
    expect(event.status).toBe("error");
    expect(event.error).toMatchObject({ name: "Error", message: "downstream failed" });
    expect(event.attributes?.["http.status_code"]).toBe(502);
  });

  it("records a 4xx error passed to next(err) as an error even though the status is below 500", async () => {
    const { client, exporter } = checkedClient();
    const app = express();
    app.use(intentproof({ client }));
    app.get("/invalid", recordRoute(REFUND, (_req, _res, next) => next(Object.assign(new Error("invalid"), { status: 400 }))));
    const url = await start(app);
    expect((await fetch(`${url}/invalid`)).status).toBe(400);
    const event = await oneEvent(exporter);
    expect(event.status).toBe("error");
    expect(event.attributes?.["http.status_code"]).toBe(400);
  });

  it("does not treat next() or next('route') as errors", async () => {
    const { client, exporter } = checkedClient();
    const url = await startApp(client, (app) => {
      app.get("/skip", recordRoute(REFUND, (_req, _res, next) => next("route")));
      app.get("/skip", (_req, res) => res.json({ from: "second" }));
      app.get("/pass", recordRoute(REFUND, (_req, _res, next) => next()));
      app.get("/pass", (_req, res) => res.json({ from: "next" }));
    });
    expect(await (await fetch(`${url}/skip`)).json()).toEqual({ from: "second" });
    expect(await (await fetch(`${url}/pass`)).json()).toEqual({ from: "next" });
    const events = await waitForEvents(exporter, 2);
    expect(events.map((e) => [e.status, e.output])).toEqual([
      ["ok", { from: "second" }],
      ["ok", { from: "next" }],
    ]);
  });

  it("records a bare 503 as an HttpError", async () => {
    const { client, exporter } = checkedClient();
    const url = await startApp(client, (app) =>
      app.get("/maintenance", recordRoute(REFUND, (_req, res) => res.status(503).json({ retry: true }))),
    );
    expect((await fetch(`${url}/maintenance`)).status).toBe(503);
    const event = await oneEvent(exporter);
    expect(event.status).toBe("error");
    expect(event.error).toMatchObject({ name: "HttpError", message: "HTTP 503", code: "503" });
    expect(event.attributes?.["http.status_code"]).toBe(503);
  });

  it("records a client that disconnects before the response as an aborted request", async () => {
    const { client, exporter } = checkedClient();
    let handlerStarted!: () => void;
    const started = new Promise<void>((resolve) => (handlerStarted = resolve));
    const url = await startApp(client, (app) =>
      app.get(
        "/hang/:id",
        recordRoute(REFUND, (_req, res) => {
          handlerStarted();
          setTimeout(() => {
            if (!res.destroyed) res.json({ late: true });
          }, 200);
        }),
      ),
    );
    const req = httpRequest(`${url}/hang/7`, { headers: { [HEADER]: "gone-1" } });
    req.on("error", () => {});
    req.end();
    await started;
    req.destroy();
    const event = await oneEvent(exporter);
    expect(event).toMatchObject({
      status: "error",
      correlationId: "gone-1",
      error: { name: "ClientAbortedError" },
      attributes: { "http.route": "/hang/:id", "http.client_aborted": true },
    });
    expect(event.attributes).not.toHaveProperty("http.status_code");
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(exporter.getEvents()).toHaveLength(1);
  });
});

describe("recordRoute: correlation and client", () => {
  it("shares the request's id with client.wrap calls nested in the handler", async () => {
    const { client, exporter } = checkedClient();
    const charge = client.wrap({ intent: "Charge", action: "psp.charge" }, async (amount: number) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return { charged: amount, seen: getCorrelationId() };
    });
    const audit = client.wrap({ intent: "Audit", action: "audit.write" }, (what: string) => what);
    const url = await startApp(client, (app) =>
      app.post(
        "/charge",
        recordRoute(REFUND, async (req, res) => {
          const result = await charge(req.body.amount);
          audit("charged");
          res.json(result);
        }),
      ),
    );
    const response = await fetch(`${url}/charge`, {
      method: "POST",
      headers: { "content-type": "application/json", [HEADER]: "nested-1" },
      body: JSON.stringify({ amount: 5 }),
    });
    expect(await response.json()).toEqual({ charged: 5, seen: "nested-1" });
    const events = await waitForEvents(exporter, 3);
    expect(events.map((e) => [e.action, e.correlationId])).toEqual([
      ["psp.charge", "nested-1"],
      ["audit.write", "nested-1"],
      ["refunds.create", "nested-1"],
    ]);
  });

  it("keeps 50 concurrent recorded requests apart", async () => {
    const { client, exporter } = checkedClient();
    const step = client.wrap({ intent: "Step", action: "step" }, async (n: number) => n);
    const url = await startApp(client, (app) =>
      app.get(
        "/job/:n",
        recordRoute({ intent: "Job", action: "job.run" }, async (req, res) => {
          await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 15)));
          res.json({ n: await step(Number(req.params.n)) });
        }),
      ),
    );
    await Promise.all(Array.from({ length: 50 }, (_, n) => fetch(`${url}/job/${n}`, { headers: { [HEADER]: `job-${n}` } })));
    const events = await waitForEvents(exporter, 100);
    const jobs = events.filter((e) => e.action === "job.run");
    const steps = events.filter((e) => e.action === "step");
    expect(jobs).toHaveLength(50);
    for (const job of jobs) {
      const n = (job.inputs.params as { n: string }).n;
      expect(job.correlationId).toBe(`job-${n}`);
      expect(job.output).toEqual({ n: Number(n) });
    }
    for (const s of steps) expect(s.correlationId).toBe(`job-${s.inputs[0] as number}`);
  });

  it("works without the middleware: one generated id per request, shared with nested wraps", async () => {
    const { client, exporter } = checkedClient();
    const inner = client.wrap({ intent: "Inner", action: "inner" }, () => getCorrelationId());
    const app = express();
    app.get("/alone", recordRoute({ ...REFUND, client }, (_req, res) => res.json({ inner: inner() })));
    const url = await start(app);
    const response = await fetch(`${url}/alone`);
    expect(response.headers.get(HEADER)).toBeNull();
    await fetch(`${url}/alone`);
    const events = await waitForEvents(exporter, 4);
    const routes = events.filter((e) => e.action === REFUND.action);
    expect(routes).toHaveLength(2);
    for (const route of routes) {
      expect(isUuidV4(route.correlationId)).toBe(true);
      expect(route.output).toEqual({ inner: route.correlationId });
    }
    expect(routes[0]!.correlationId).not.toBe(routes[1]!.correlationId);
  });

  it("records through the middleware's client when options name none", async () => {
    const { client, exporter } = checkedClient();
    const defaultEvents = (defaultClient.exporters[0] as { getEvents?: () => unknown[] }).getEvents?.().length;
    const url = await startApp(client, (app) => app.get("/via-mw", recordRoute(REFUND, (_req, res) => res.json({}))));
    await fetch(`${url}/via-mw`);
    await oneEvent(exporter);
    expect((defaultClient.exporters[0] as { getEvents?: () => unknown[] }).getEvents?.().length).toBe(defaultEvents);
  });

  it("prefers options.client over the middleware's client", async () => {
    const mw = checkedClient();
    const pinned = checkedClient();
    const url = await startApp(mw.client, (app) =>
      app.get("/pinned", recordRoute({ ...REFUND, client: pinned.client }, (_req, res) => res.json({}))),
    );
    await fetch(`${url}/pinned`, { headers: { [HEADER]: "pin-1" } });
    const event = await oneEvent(pinned.exporter);
    expect(event.correlationId).toBe("pin-1");
    expect(mw.exporter.getEvents()).toEqual([]);
  });

  it("passes (req, res, next) to captureInput", async () => {
    const { client, exporter } = checkedClient();
    let received: unknown[] = [];
    const url = await startApp(client, (app) =>
      app.post(
        "/capture/:id",
        recordRoute(
          {
            ...REFUND,
            captureInput: (args) => {
              received = args;
              const [req] = args;
              return { id: req.params.id, amount: req.body.amount, method: req.method };
            },
          },
          (_req, res) => res.json({ done: true }),
        ),
      ),
    );
    await fetch(`${url}/capture/c1`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ amount: 3, secret: "no" }),
    });
    const event = await oneEvent(exporter);
    expect(event.inputs).toEqual({ id: "c1", amount: 3, method: "POST" });
    expect(received).toHaveLength(3);
    expect(typeof (received[0] as Request).get).toBe("function");
    expect(typeof (received[1] as Response).json).toBe("function");
    expect(typeof received[2]).toBe("function");
  });

  it("adds the wrap's attributes and the client's default attributes", async () => {
    const exporter = new CheckedExporter();
    const client = createIntentProofClient({ exporters: [exporter], defaultAttributes: { service: "billing" } });
    const url = await startApp(client, (app) =>
      app.get("/attrs", recordRoute({ ...REFUND, attributes: { tier: "gold" } }, (_req, res) => res.json({}))),
    );
    await fetch(`${url}/attrs`);
    const event = await oneEvent(exporter);
    expect(event.attributes).toEqual({
      service: "billing",
      tier: "gold",
      "http.method": "GET",
      "http.route": "/attrs",
      "http.status_code": 200,
    });
  });
});

describe("recordRoute: http.route is the pattern", () => {
  it("joins the patterns of nested routers and sub-apps, not the raw URL", async () => {
    const { client, exporter } = checkedClient();
    const refunds = express.Router({ mergeParams: true });
    refunds.get("/refunds/:orderId", recordRoute(REFUND, (_req, res) => res.json({})));
    refunds.get("/", recordRoute(REFUND, (_req, res) => res.json({})));
    const shops = express.Router();
    shops.use("/:shopId", refunds);
    const v2 = express();
    v2.get("/items/:itemId", recordRoute(REFUND, (_req, res) => res.json({})));
    const url = await startApp(client, (app) => {
      app.use("/shops", shops);
      app.use("/v2", v2);
      app.get("/files/*path", recordRoute(REFUND, (_req, res) => res.json({})));
      app.use("/mounted/:tenant", recordRoute(REFUND, (_req, res) => res.json({})));
    });
    for (const path of ["/shops/s1/refunds/o1", "/shops/s2", "/v2/items/i9", "/files/a/b.txt", "/mounted/acme"]) {
      expect((await fetch(url + path)).status).toBe(200);
    }
    const events = await waitForEvents(exporter, 5);
    expect(events.map((e) => e.attributes?.["http.route"])).toEqual([
      "/shops/:shopId/refunds/:orderId",
      "/shops/:shopId",
      "/v2/items/:itemId",
      "/files/*path",
      "/mounted/:tenant",
    ]);
  });

  it("tells apart the mounts of a router used at two places", async () => {
    const { client, exporter } = checkedClient();
    const orders = express.Router();
    orders.get("/:id", recordRoute(REFUND, (_req, res) => res.json({})));
    const url = await startApp(client, (app) => {
      app.use("/eu/orders", orders);
      app.use("/us/:region/orders", orders);
    });
    await fetch(`${url}/us/west/orders/5`);
    await fetch(`${url}/eu/orders/6`);
    const events = await waitForEvents(exporter, 2);
    expect(events.map((e) => e.attributes?.["http.route"])).toEqual(["/us/:region/orders/:id", "/eu/orders/:id"]);
  });
});

describe("recordRoute: http.route of a handler mounted with app.use after a route that called next()", () => {
  it("is the mount path, not the earlier route's pattern Express left in req.route", async () => {
    const { client, exporter } = checkedClient();
    const url = await startApp(client, (app) => {
      app.post("/*path", (_req, res, next) => {
        res.set("x-api-version", "1");
        next();
      });
      app.use("/webhooks", recordRoute({ intent: "Receive a webhook", action: "webhooks.receive" }, (_req, res) => void res.status(202).send("queued")));
    });
    const posted = await fetch(`${url}/webhooks/stripe`, { method: "POST" });
    expect([posted.status, posted.headers.get("x-api-version"), await posted.text()]).toEqual([202, "1", "queued"]);
    const fetched = await fetch(`${url}/webhooks/stripe`);
    expect([fetched.status, fetched.headers.get("x-api-version")]).toEqual([202, null]);
    const events = await waitForEvents(exporter, 2);
    for (const event of events) expectValidEvent(event);
    expect(events.map((e) => [e.attributes?.["http.method"], e.attributes?.["http.route"], e.attributes?.["http.status_code"]])).toEqual([
      ["POST", "/webhooks", 202],
      ["GET", "/webhooks", 202],
    ]);
  });

  it("inside a router, after the router's own route called next()", async () => {
    const { client, exporter } = checkedClient();
    const api = express.Router();
    api.get("/*rest", (_req, _res, next) => next());
    api.use("/:tenant/audit", recordRoute(REFUND, (_req, res) => void res.json({ audited: true })));
    const url = await startApp(client, (app) => app.use("/api", api));
    expect((await fetch(`${url}/api/acme/audit`)).status).toBe(200);
    const event = await oneEvent(exporter);
    expectValidEvent(event);
    expect(event.attributes?.["http.route"]).toBe("/api/:tenant/audit");
  });

  it("a recorded handler wrapped by another function on a route still reports that route", async () => {
    const { client, exporter } = checkedClient();
    const forwardingErrors = (handler: (req: Request, res: Response, next: NextFunction) => void) =>
      function forwarding(req: Request, res: Response, next: NextFunction) {
        handler(req, res, next);
      };
    const url = await startApp(client, (app) =>
      app.get("/orders/:id", forwardingErrors(recordRoute(REFUND, (_req, res) => void res.json({ found: true })))),
    );
    expect((await fetch(`${url}/orders/7`)).status).toBe(200);
    const event = await oneEvent(exporter);
    expectValidEvent(event);
    expect(event.attributes?.["http.route"]).toBe("/orders/:id");
  });
});

describe("recordRoute: telemetry never breaks the request", () => {
  it("answers normally when every exporter throws or rejects", async () => {
    const errors: unknown[] = [];
    const client = createIntentProofClient({
      exporters: [
        {
          export() {
            throw new Error("exporter down");
          },
        },
        { export: () => Promise.reject(new Error("async exporter down")) },
      ],
      onExporterError: (error) => errors.push(error),
    });
    const url = await startApp(client, (app) =>
      app.get("/fragile", recordRoute(REFUND, (_req, res) => res.json({ fine: true }))),
    );
    const response = await fetch(`${url}/fragile`, { headers: { [HEADER]: "fragile-1" } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ fine: true });
    expect(response.headers.get(HEADER)).toBe("fragile-1");
    await client.flush();
    expect(errors.map((e) => (e as Error).message).sort()).toEqual(["async exporter down", "exporter down"]);
  });

  it("answers normally when captureInput and captureOutput throw, and records neither the request nor the body they were to narrow", async () => {
    const { client, exporter } = checkedClient();
    const url = await startApp(client, (app) =>
      app.get(
        "/hooks/:id",
        recordRoute(
          {
            ...REFUND,
            captureInput: () => {
              throw new Error("input hook");
            },
            captureOutput: () => {
              throw new Error("output hook");
            },
          },
          (_req, res) => res.json({ ok: 1 }),
        ),
      ),
    );
    expect(await (await fetch(`${url}/hooks/h1`)).json()).toEqual({ ok: 1 });
    const event = await oneEvent(exporter);
    expect(event.inputs).toEqual({ value: "[CaptureFailed]" });
    expect(event.output).toBe("[CaptureFailed]");
  });

  it("answers normally when the onExporterError hook throws too", async () => {
    const client = createIntentProofClient({
      exporters: [
        {
          export() {
            throw new Error("exporter down");
          },
        },
      ],
      onExporterError: () => {
        throw new Error("hook down too");
      },
    });
    const url = await startApp(client, (app) => app.get("/x", recordRoute(REFUND, (_req, res) => res.json({ x: 1 }))));
    expect(await (await fetch(`${url}/x`)).json()).toEqual({ x: 1 });
  });
});

describe("recordRoute: definition-time validation", () => {
  const handler = (_req: Request, res: Response) => {
    res.end();
  };

  it.each([
    [{ intent: "", action: "a" }, "intent"],
    [{ intent: "i", action: "  " }, "action"],
    [{ action: "a" }, "intent"],
    [{ intent: "i", action: "a", captureInput: "no" }, "captureInput"],
    [{ intent: "i", action: "a", maxDepth: 0 }, "maxDepth"],
    [{ intent: "i", action: "a", client: { wrap() {} } }, "client"],
  ])("rejects %j with a TypeError naming the field", (options, field) => {
    expect(() => recordRoute(options as never, handler)).toThrow(TypeError);
    expect(() => recordRoute(options as never, handler)).toThrow(`"${field}"`);
  });

  it("rejects a handler that is not a function", () => {
    expect(() => recordRoute(REFUND, "nope" as never)).toThrow(TypeError);
    expect(() => recordRoute(REFUND, undefined as never)).toThrow('"handler"');
  });

  it("rejects options that are not an object", () => {
    expect(() => recordRoute(null as never, handler)).toThrow(TypeError);
  });

  it.each([
    [null, "null"],
    [undefined, "undefined"],
    [[], "an array"],
  ])("rejects %s as options with a TypeError naming recordRoute", (options, got) => {
    let thrown: unknown;
    try {
      recordRoute(options as never, handler);
    } catch (error) {
      thrown = error;
    }
    expect((thrown as Error | undefined)?.constructor).toBe(TypeError);
    expect((thrown as Error).message).toBe(
      `intentproof/express: recordRoute: options must be an object with "intent" and "action", got ${got}`,
    );
  });

  it("rejects a null client with a TypeError naming the field", () => {
    expect(() => recordRoute({ ...REFUND, client: null } as never, handler)).toThrow(
      new TypeError('intentproof/express: recordRoute: "client" must be an IntentProofClient (from createIntentProofClient()), got null'),
    );
  });

  it("rejects an error handler (err, req, res, next) when the route is defined, naming the field", async () => {
    const errorHandler = (error: Error, _req: Request, res: Response, _next: NextFunction) => void res.status(402).json({ error: error.message });
    const define = () => recordRoute({ intent: "Answer a failed request", action: "errors.answer" }, errorHandler as never);
    expect(define).toThrow(TypeError);
    expect(define).toThrow(
      'intentproof/express: recordRoute(options, handler): "handler" takes 4 parameters, like an error handler (err, req, res, next); ' +
        "recordRoute records route handlers and middleware (req, res, next), not error handlers",
    );
    // Mounted as it is, the same error handler keeps answering the app's errors.
    const { client, exporter } = checkedClient();
    const app = express();
    app.use(intentproof({ client }));
    app.get("/pay", recordRoute(REFUND, () => {
      throw Object.assign(new Error("payment declined"), { status: 402 });
    }));
    app.use(errorHandler);
    const url = await start(app);
    const response = await fetch(`${url}/pay`);
    expect([response.status, await response.json()]).toEqual([402, { error: "payment declined" }]);
    const event = await oneEvent(exporter);
    expectValidEvent(event);
    expect(event).toMatchObject({ status: "error", error: { message: "payment declined" }, attributes: { "http.status_code": 402 } });
  });
});
