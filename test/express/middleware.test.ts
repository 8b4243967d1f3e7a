import express, { type Express, type NextFunction, type Request, type Response } from "express";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { createIntentProofClient, getCorrelationId, runWithCorrelationId } from "../../src/index.js";
import { intentproof } from "../../src/express.js";
import { CheckedExporter, isUuidV4 } from "../support/event-validator.js";
import { serve, waitForEvents, type Served } from "./serve.js";

const HEADER = "x-intentproof-correlation-id";
const servers: Served[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(app: Express): Promise<string> {
  const served = await serve(app);
  servers.push(served);
  return served.url;
}

/** An app whose GET /id answers with the id seen by the handler. */
function idApp(middleware = intentproof()): Express {
  const app = express();
  app.use(middleware);
  app.get("/id", (_req, res) => {
    res.json({ id: getCorrelationId() ?? null });
  });
  return app;
}

async function getId(url: string, headers?: Record<string, string>): Promise<{ seen: string | null; echoed: string | null }> {
  const response = await fetch(`${url}/id`, { headers });
  const body = (await response.json()) as { id: string | null };
  return { seen: body.id, echoed: response.headers.get(HEADER) };
}

describe("intentproof() middleware: inbound header", () => {
  it("uses the trimmed inbound id and echoes it", async () => {
    const url = await start(idApp());
    const { seen, echoed } = await getId(url, { [HEADER]: "  order-42\t" });
    expect(seen).toBe("order-42");
    expect(echoed).toBe("order-42");
  });

  it("accepts an id of exactly 128 printable ASCII characters", async () => {
    const url = await start(idApp());
    const id = "a".repeat(127) + "~";
    expect(await getId(url, { [HEADER]: id })).toEqual({ seen: id, echoed: id });
  });

  it.each([
    ["missing", undefined],
    ["blank", "   "],
    ["oversized (129 characters)", "x".repeat(129)],
    ["non-ASCII", "caf\u00e9-order"],
  ])("generates a fresh UUID v4 when the header is %s, and echoes it", async (_label, value) => {
    const url = await start(idApp());
    const { seen, echoed } = await getId(url, value === undefined ? undefined : { [HEADER]: value });
    expect(isUuidV4(seen)).toBe(true);
    expect(echoed).toBe(seen);
  });

  it("gives two requests without a header two different ids", async () => {
    const url = await start(idApp());
    const first = await getId(url);
    const second = await getId(url);
    expect(first.seen).not.toBe(second.seen);
  });

  it("reads and echoes a custom header name (any case)", async () => {
    const url = await start(idApp(intentproof({ headerName: "X-Request-ID" })));
    const response = await fetch(`${url}/id`, { headers: { "x-request-id": "req-7" } });
    expect(await response.json()).toEqual({ id: "req-7" });
    expect(response.headers.get("x-request-id")).toBe("req-7");
    expect(response.headers.get(HEADER)).toBeNull();
  });

  it("defaults the header name and generation from the client's correlation config", async () => {
    const client = createIntentProofClient({
      exporters: [new CheckedExporter()],
      correlation: { headerName: "X-Trace-Ref", generateOnMissing: false },
    });
    const url = await start(idApp(intentproof({ client })));
    const given = await fetch(`${url}/id`, { headers: { "x-trace-ref": "t-1" } });
    expect(await given.json()).toEqual({ id: "t-1" });
    expect(given.headers.get("x-trace-ref")).toBe("t-1");
    const missing = await fetch(`${url}/id`);
    expect(await missing.json()).toEqual({ id: null });
    expect(missing.headers.get("x-trace-ref")).toBeNull();
  });

  it("with generateOnMissing false: no id and no header when none came in; the inbound one still works", async () => {
    const url = await start(idApp(intentproof({ generateOnMissing: false })));
    expect(await getId(url)).toEqual({ seen: null, echoed: null });
    expect(await getId(url, { [HEADER]: "  " })).toEqual({ seen: null, echoed: null });
    expect(await getId(url, { [HEADER]: "kept" })).toEqual({ seen: "kept", echoed: "kept" });
  });

  it("with echoHeader false: the id is active but not sent back", async () => {
    const url = await start(idApp(intentproof({ echoHeader: false })));
    const inbound = await getId(url, { [HEADER]: "quiet" });
    expect(inbound).toEqual({ seen: "quiet", echoed: null });
    const generated = await getId(url);
    expect(isUuidV4(generated.seen)).toBe(true);
    expect(generated.echoed).toBeNull();
  });

  it("does not take the id of a scope the server was started in", async () => {
    const app = idApp();
    const url = await runWithCorrelationId("server-startup", () => start(app));
    const { seen } = await getId(url);
    expect(seen).not.toBe("server-startup");
    expect(isUuidV4(seen)).toBe(true);
  });

  it("keeps the first id when mounted twice (app and router)", async () => {
    const app = express();
    app.use(intentproof());
    const router = express.Router();
    router.use(intentproof());
    router.get("/id", (_req, res) => {
      res.json({ id: getCorrelationId() ?? null });
    });
    let early: string | undefined;
    app.use((_req, _res, next) => {
      early = getCorrelationId();
      next();
    });
    app.use(router);
    const url = await start(app);
    const { seen, echoed } = await getId(url);
    expect(seen).toBe(early);
    expect(echoed).toBe(early);
  });
});

describe("intentproof() middleware: the id through the whole request", () => {
  it("reaches later middleware, awaits, timers and stream callbacks", async () => {
    const app = express();
    app.use(intentproof());
    app.use(async (req, _res, next) => {
      await new Promise((resolve) => setImmediate(resolve));
      (req as Request & { seenInMiddleware?: string }).seenInMiddleware = getCorrelationId();
      next();
    });
    app.get("/trace", async (req, res) => {
      const afterAwait = await Promise.resolve().then(() => getCorrelationId());
      const inTimer = await new Promise<string | undefined>((resolve) => setTimeout(() => resolve(getCorrelationId()), 5));
      const inStream = await new Promise<string | undefined>((resolve) => {
        const stream = Readable.from(["a"]);
        stream.on("data", () => resolve(getCorrelationId()));
      });
      res.json({
        middleware: (req as Request & { seenInMiddleware?: string }).seenInMiddleware,
        afterAwait,
        inTimer,
        inStream,
      });
    });
    const url = await start(app);
    const response = await fetch(`${url}/trace`, { headers: { [HEADER]: "deep-1" } });
    expect(await response.json()).toEqual({ middleware: "deep-1", afterAwait: "deep-1", inTimer: "deep-1", inStream: "deep-1" });
  });

  it("keeps 60 concurrent requests with distinct ids isolated", async () => {
    const app = express();
    app.use(intentproof());
    app.get("/slow", async (_req, res) => {
      const before = getCorrelationId();
      // Interleave: every request waits while the others run.
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.floor(Math.random() * 20)));
      const after = getCorrelationId();
      await new Promise((resolve) => setImmediate(resolve));
      res.json({ before, after, last: getCorrelationId() });
    });
    const url = await start(app);
    const ids = Array.from({ length: 60 }, (_, i) => `concurrent-${i}`);
    const answers = await Promise.all(
      ids.map(async (id) => {
        const response = await fetch(`${url}/slow`, { headers: { [HEADER]: id } });
        return { id, echoed: response.headers.get(HEADER), body: (await response.json()) as Record<string, string> };
      }),
    );
    for (const { id, echoed, body } of answers) {
      expect(body).toEqual({ before: id, after: id, last: id });
      expect(echoed).toBe(id);
    }
  });

  it("records client.wrap calls made while handling with the request's id", async () => {
    const exporter = new CheckedExporter();
    const client = createIntentProofClient({ exporters: [exporter] });
    const lookup = client.wrap({ intent: "Look up order", action: "orders.lookup" }, async (id: string) => ({ id }));
    const app = express();
    app.use(intentproof({ client }));
    app.get("/orders/:id", async (req, res) => {
      res.json(await lookup(req.params.id as string));
    });
    const url = await start(app);
    await Promise.all([
      fetch(`${url}/orders/1`, { headers: { [HEADER]: "wrap-a" } }),
      fetch(`${url}/orders/2`, { headers: { [HEADER]: "wrap-b" } }),
    ]);
    const events = await waitForEvents(exporter, 2);
    const byOrder = Object.fromEntries(events.map((e) => [(e.inputs[0] as string), e.correlationId]));
    expect(byOrder).toEqual({ "1": "wrap-a", "2": "wrap-b" });
  });
});

describe("intentproof() middleware: error responses", () => {
  it("echoes the id on a 404 from Express", async () => {
    const url = await start(idApp());
    const response = await fetch(`${url}/nowhere`, { headers: { [HEADER]: "lost-1" } });
    expect(response.status).toBe(404);
    expect(response.headers.get(HEADER)).toBe("lost-1");
  });

  it("echoes the id on a 500 from Express's default error handler and from a custom one", async () => {
    const app = express();
    app.use(intentproof());
    app.get("/boom", () => {
      throw new Error("boom");
    });
    app.get("/handled", (_req, _res, next: NextFunction) => next(new Error("handled")));
    app.use((error: Error, req: Request, res: Response, next: NextFunction) => {
      if (req.path !== "/handled") return next(error);
      res.status(500).json({ message: error.message, id: getCorrelationId() });
    });
    const url = await start(app);
    const boom = await fetch(`${url}/boom`, { headers: { [HEADER]: "err-1" } });
    expect(boom.status).toBe(500);
    expect(boom.headers.get(HEADER)).toBe("err-1");
    const handled = await fetch(`${url}/handled`, { headers: { [HEADER]: "err-2" } });
    expect(await handled.json()).toEqual({ message: "handled", id: "err-2" });
    expect(handled.headers.get(HEADER)).toBe("err-2");
  });
});

describe("intentproof() options", () => {
  it.each([
    [{ headerName: 5 }, "headerName"],
    [{ headerName: "bad header" }, "headerName"],
    [{ generateOnMissing: "yes" }, "generateOnMissing"],
    [{ echoHeader: 1 }, "echoHeader"],
    [{ client: {} }, "client"],
    [{ header: "x-id" }, "header"],
  ])("rejects %j with a TypeError naming the field", (options, field) => {
    expect(() => intentproof(options as never)).toThrow(TypeError);
    expect(() => intentproof(options as never)).toThrow(`"${field}"`);
  });

  it("rejects options that are not an object", () => {
    expect(() => intentproof("x" as never)).toThrow(TypeError);
  });

  it.each([
    [null, "null"],
    [3, "3"],
    ["x", '"x"'],
    [[], "an array"],
    [() => {}, "a function"],
  ])("rejects %s as options with a TypeError naming intentproof(); no options and undefined stay valid", (options, got) => {
    let thrown: unknown;
    try {
      intentproof(options as never);
    } catch (error) {
      thrown = error;
    }
    expect((thrown as Error | undefined)?.constructor).toBe(TypeError);
    expect((thrown as Error).message).toBe(`intentproof/express: intentproof(): options must be an object, got ${got}`);
    expect(typeof intentproof()).toBe("function");
    expect(typeof intentproof(undefined)).toBe("function");
  });

  it("never throws into the request when the client's config is broken", async () => {
    const client = createIntentProofClient({ exporters: [new CheckedExporter()], onExporterError: () => {} });
    const reported: unknown[] = [];
    client.configure({ onExporterError: (error) => reported.push(error) });
    const app = idApp(intentproof({ client }));
    Object.defineProperty(client, "config", {
      get() {
        throw new Error("config exploded");
      },
    });
    const url = await start(app);
    const response = await fetch(`${url}/id`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: null });
    expect(reported).toHaveLength(1);
  });
});
