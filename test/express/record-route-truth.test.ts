/**
 * A route's record says what the client got, when it got it: the body as it
 * was sent (later mutation changes nothing), the status of the status line
 * sent (a later res.status() changes nothing), and an error raised after the
 * response is still an error.
 */
import express, { type Express, type NextFunction, type Request, type Response } from "express";
import { createServer, get as httpGet } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { intentproof, recordRoute } from "../../src/express.js";
import { expectValidEvent } from "../support/event-validator.js";
import { checkedClient, closeServers, oneEvent, start, startApp } from "./recorded-app.js";
import { waitForEvents } from "./serve.js";

const REFUND = { intent: "Initiate refund", action: "refunds.create" } as const;

afterEach(closeServers);

const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

describe("recordRoute: the body is recorded when it is sent", () => {
  it("an object given to res.json and mutated afterwards is recorded as sent", async () => {
    const { client, exporter } = checkedClient();
    const url = await startApp(client, (app) =>
      app.get(
        "/refund",
        recordRoute(REFUND, async (_req, res) => {
          const body = { refundId: "rf_1", amount: 100, items: ["a"] };
          res.json(body);
          body.amount = 999_999;
          body.items.push("injected");
          (body as Record<string, unknown>).note = "added after sending";
        }),
      ),
    );
    const response = await fetch(`${url}/refund`);
    const sent = await response.json();
    const event = await oneEvent(exporter);
    expect(sent).toEqual({ refundId: "rf_1", amount: 100, items: ["a"] });
    expect(event.output).toEqual(sent);
  });

  it("an object given to res.send and mutated in a later tick is recorded as sent", async () => {
    const { client, exporter } = checkedClient();
    const url = await startApp(client, (app) =>
      app.get(
        "/later",
        recordRoute(REFUND, (_req, res) => {
          const body = { state: "sent" };
          res.send(body);
          setImmediate(() => {
            body.state = "rewritten";
          });
        }),
      ),
    );
    expect(await (await fetch(`${url}/later`)).json()).toEqual({ state: "sent" });
    await tick();
    expect((await oneEvent(exporter)).output).toEqual({ state: "sent" });
  });

  it("a Buffer given to res.send and overwritten afterwards is recorded with the bytes sent", async () => {
    const { client, exporter } = checkedClient();
    const url = await startApp(client, (app) =>
      app.get(
        "/bytes",
        recordRoute(REFUND, (_req, res) => {
          const bytes = Buffer.from("original bytes");
          res.type("application/octet-stream").send(bytes);
          bytes.fill(0x58);
        }),
      ),
    );
    const received = Buffer.from(await (await fetch(`${url}/bytes`)).arrayBuffer());
    expect(received.toString()).toBe("original bytes");
    const event = await oneEvent(exporter);
    expect(event.output).toBe(`base64:${received.toString("base64")}`);
  });

  it("an object whose class has toJSON is recorded as encoded: a field toJSON leaves out is not in the record", async () => {
    class Account {
      constructor(
        readonly email: string,
        readonly passwordHash: string,
      ) {}
      toJSON() {
        return { email: this.email };
      }
    }
    const { client, exporter } = checkedClient();
    const url = await startApp(client, (app) =>
      app.get(
        "/account",
        recordRoute(REFUND, (_req, res) => {
          res.json({ account: new Account("a@example.com", "$2b$10$secret") });
        }),
      ),
    );
    const sent = await (await fetch(`${url}/account`)).json();
    expect(sent).toEqual({ account: { email: "a@example.com" } });
    const event = await oneEvent(exporter);
    expectValidEvent(event);
    expect(event.output).toEqual(sent);
  });

  it("captureOutput sees the body at the moment it is sent", async () => {
    const { client, exporter } = checkedClient();
    const url = await startApp(client, (app) =>
      app.get(
        "/hook",
        recordRoute({ ...REFUND, captureOutput: (body) => ({ amount: (body as { amount: number }).amount }) }, (_req, res) => {
          const body = { amount: 5, secret: "x" };
          res.json(body);
          body.amount = 6;
        }),
      ),
    );
    await fetch(`${url}/hook`);
    expect((await oneEvent(exporter)).output).toEqual({ amount: 5 });
  });
});

describe("recordRoute: the status is the one the client received", () => {
  /** Sends a 200 status line with a first chunk, then sets 500 (a streaming handler's catch block). */
  const failsMidStream = (_req: Request, res: Response) => {
    res.type("text/csv");
    res.write("id,amount\n");
    res.status(500).end();
  };
  /** Sends a 503 status line with a first chunk, then sets 200 before ending. */
  const recoversAfterSending503 = (_req: Request, res: Response) => {
    res.status(503).type("text/plain");
    res.write("down for maintenance");
    res.status(200).end();
  };

  async function received(url: string): Promise<{ status: number; body: string }> {
    const response = await fetch(url);
    return { status: response.status, body: await response.text() };
  }

  /** `failsMidStream` served at /export.csv: the client gets the 200 and its chunk, and so does the record. */
  async function expectExportRecordedAsSent(url: string, exporter: ReturnType<typeof checkedClient>["exporter"]): Promise<void> {
    expect(await received(`${url}/export.csv`)).toEqual({ status: 200, body: "id,amount\n" });
    const event = await oneEvent(exporter);
    expectValidEvent(event);
    expect(event.status).toBe("ok");
    expect(event.attributes?.["http.status_code"]).toBe(200);
  }

  it("a 200 sent, then res.status(500).end(): recorded ok with 200", async () => {
    const { client, exporter } = checkedClient();
    const url = await startApp(client, (app) => app.get("/export.csv", recordRoute(REFUND, failsMidStream)));
    await expectExportRecordedAsSent(url, exporter);
  });

  it("a 503 sent, then res.status(200).end(): recorded as HttpError 503", async () => {
    const { client, exporter } = checkedClient();
    const url = await startApp(client, (app) => app.get("/maintenance", recordRoute(REFUND, recoversAfterSending503)));
    expect(await received(`${url}/maintenance`)).toEqual({ status: 503, body: "down for maintenance" });
    const event = await oneEvent(exporter);
    expectValidEvent(event);
    expect(event.status).toBe("error");
    expect(event.error).toMatchObject({ name: "HttpError", message: "HTTP 503", code: "503" });
    expect(event.attributes?.["http.status_code"]).toBe(503);
  });

  it("an explicit writeHead(201), then statusCode = 500: recorded ok with 201", async () => {
    const { client, exporter } = checkedClient();
    const url = await startApp(client, (app) =>
      app.post(
        "/refunds",
        recordRoute(REFUND, (_req, res) => {
          res.writeHead(201, { "content-type": "text/plain" });
          res.statusCode = 500;
          res.end("created");
        }),
      ),
    );
    const response = await fetch(`${url}/refunds`, { method: "POST" });
    expect([response.status, await response.text()]).toEqual([201, "created"]);
    const event = await oneEvent(exporter);
    expectValidEvent(event);
    expect(event.status).toBe("ok");
    expect(event.attributes?.["http.status_code"]).toBe(201);
  });

  it("on an app's first request, behind a middleware that gave the response its own writeHead (as on-headers does)", async () => {
    const { client, exporter } = checkedClient();
    const url = await startApp(client, (app) => {
      app.use((_req: Request, res: Response, next: NextFunction) => {
        // Bound before the first recorded request: the response's writeHead then is Node's own.
        const writeHead = res.writeHead;
        res.writeHead = function (this: Response) {
          return Reflect.apply(writeHead, this, arguments) as Response;
        } as Response["writeHead"];
        next();
      });
      app.get("/export.csv", recordRoute(REFUND, failsMidStream));
    });
    await expectExportRecordedAsSent(url, exporter);
  });

  it("without intentproof() before the route, for both directions", async () => {
    const { client, exporter } = checkedClient();
    const app = express();
    app.get("/export.csv", recordRoute({ ...REFUND, client }, failsMidStream));
    app.get("/maintenance", recordRoute({ ...REFUND, client }, recoversAfterSending503));
    const url = await start(app);
    expect((await received(`${url}/export.csv`)).status).toBe(200);
    expect((await received(`${url}/maintenance`)).status).toBe(503);
    const events = await waitForEvents(exporter, 2);
    for (const event of events) expectValidEvent(event);
    expect(events.map((e) => [e.status, e.attributes?.["http.status_code"]])).toEqual([
      ["ok", 200],
      ["error", 503],
    ]);
  });
});

describe("recordRoute: a response the server cuts off is not blamed on the client", () => {
  /** Sends the status line and a first chunk, then destroys the response, as a failed stream pipeline does. */
  const cutsAfterFirstChunk = (error?: Error) => (_req: Request, res: Response) => {
    res.type("text/csv");
    res.write("id,amount\n", () => res.destroy(error));
  };

  async function receivedUntilCut(url: string): Promise<{ status: number; cut: boolean }> {
    const response = await fetch(url);
    const cut = await response.text().then(
      () => false,
      () => true,
    );
    return { status: response.status, cut };
  }

  it.each([
    ["without an error: IncompleteResponseError", undefined, { name: "IncompleteResponseError" }],
    ["with an error: that error", new Error("disk read failed"), { name: "Error", message: "disk read failed" }],
  ])("destroyed %s, response already sent, not client_aborted", async (_label, error, recorded) => {
    const { client, exporter } = checkedClient();
    const url = await startApp(client, (app) => app.get("/export.csv", recordRoute(REFUND, cutsAfterFirstChunk(error))));
    expect(await receivedUntilCut(`${url}/export.csv`)).toEqual({ status: 200, cut: true });
    const event = await oneEvent(exporter);
    expectValidEvent(event);
    expect(event.status).toBe("error");
    expect(event.error).toMatchObject(recorded);
    expect(event.attributes).toMatchObject({ "http.status_code": 200, "http.response_already_sent": true });
    expect(event.attributes).not.toHaveProperty("http.client_aborted");
  });
});

describe("recordRoute: Node's own request timeout is the server's doing", () => {
  it("a body still arriving when requestTimeout expires: Node answers 408 and closes; its timeout error, not client_aborted", async () => {
    const { client, exporter } = checkedClient();
    const app = express();
    app.use(intentproof({ client }));
    app.post(
      "/upload",
      recordRoute(REFUND, (req, res) => {
        req.resume();
        req.on("end", () => res.json({ ok: true }));
      }),
    );
    const server = createServer({ requestTimeout: 300, connectionsCheckingInterval: 50 }, app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      // The client never closes: it keeps sending a byte every 50 ms of a body it announced as 100.
      const received = await new Promise<string>((resolve) => {
        const socket = connect((server.address() as AddressInfo).port, "127.0.0.1", () => {
          socket.write("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\na");
        });
        const drip = setInterval(() => socket.writable && socket.write("a"), 50);
        let text = "";
        socket.on("data", (chunk) => (text += chunk));
        socket.on("error", () => {});
        socket.on("close", () => {
          clearInterval(drip);
          resolve(text);
        });
      });
      expect(received).toMatch(/^HTTP\/1\.1 408 /);
      const event = await oneEvent(exporter);
      expectValidEvent(event);
      expect(event.status).toBe("error");
      expect(event.error?.code).toBe("ERR_HTTP_REQUEST_TIMEOUT");
      expect(event.attributes).not.toHaveProperty("http.client_aborted");
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("recordRoute: two recorded handlers of one request", () => {
  it("both record the body the second one sent", async () => {
    const { client, exporter } = checkedClient();
    const url = await startApp(client, (app) =>
      app.get(
        "/chain",
        recordRoute({ intent: "Check the order", action: "orders.check" }, (_req, _res, next) => next()),
        recordRoute(REFUND, (_req, res) => {
          res.json({ refunded: true });
        }),
      ),
    );
    expect(await (await fetch(`${url}/chain`)).json()).toEqual({ refunded: true });
    const events = await waitForEvents(exporter, 2);
    expect(events.map((e) => [e.action, e.output])).toEqual(
      expect.arrayContaining([
        ["orders.check", { refunded: true }],
        ["refunds.create", { refunded: true }],
      ]),
    );
  });
});

describe("recordRoute: whoever provides res.json / res.send", () => {
  it("a json the app puts on app.response after requests were recorded is wrapped too: the record is the body it sent", async () => {
    const { client, exporter } = checkedClient();
    let app!: Express;
    const url = await startApp(client, (a) => {
      app = a;
      a.get("/refund", recordRoute(REFUND, (_req, res) => void res.json({ refundId: "rf_1" })));
    });
    await fetch(`${url}/refund`);
    await oneEvent(exporter);
    const expressJson = app.response.json;
    app.response.json = function (this: Response, body: unknown) {
      return Reflect.apply(expressJson, this, [{ wrapped: body }]) as Response;
    };
    expect(await (await fetch(`${url}/refund`)).json()).toEqual({ wrapped: { refundId: "rf_1" } });
    const events = await waitForEvents(exporter, 2);
    expect(events[1]!.output).toEqual({ wrapped: { refundId: "rf_1" } });
  });

  it("a library that wrapped res.json on the response before the handler is wrapped in turn: the record is its envelope, as sent", async () => {
    const { client, exporter } = checkedClient();
    const url = await startApp(client, (app) => {
      app.use((_req, res, next) => {
        const json = res.json;
        res.json = (body: unknown) => json.call(res, { envelope: body });
        next();
      });
      app.get("/refund", recordRoute(REFUND, (_req, res) => void res.json({ refundId: "rf_2" })));
    });
    expect(await (await fetch(`${url}/refund`)).json()).toEqual({ envelope: { refundId: "rf_2" } });
    expect((await oneEvent(exporter)).output).toEqual({ envelope: { refundId: "rf_2" } });
  });

  it("routes of the same app that are not recorded answer as before and record nothing", async () => {
    const { client, exporter } = checkedClient();
    const url = await startApp(client, (app) => {
      app.get("/recorded", recordRoute(REFUND, (_req, res) => void res.json({ recorded: true })));
      app.get("/plain", (_req, res) => void res.json({ plain: true }));
      app.get("/text", (_req, res) => void res.send("plain text"));
    });
    await fetch(`${url}/recorded`);
    expect(await (await fetch(`${url}/plain`)).json()).toEqual({ plain: true });
    expect(await (await fetch(`${url}/text`)).text()).toBe("plain text");
    await fetch(`${url}/recorded`);
    // The plain routes answered before the second recorded request was sent.
    const events = await waitForEvents(exporter, 2);
    expect(events.map((e) => e.output)).toEqual([{ recorded: true }, { recorded: true }]);
  });
});

describe("recordRoute: an error after the response is still an error", () => {
  it("a handler that rejects after its response finished is recorded as an error, response already sent", async () => {
    const { client, exporter } = checkedClient();
    const url = await startApp(client, (app) =>
      app.post(
        "/refunds",
        recordRoute(REFUND, async (_req, res) => {
          res.status(202).json({ accepted: true });
          await new Promise((resolve) => res.once("finish", resolve));
          await tick();
          throw new Error("ledger write failed after the reply");
        }),
      ),
    );
    const response = await fetch(`${url}/refunds`, { method: "POST" });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: true });
    const event = await oneEvent(exporter);
    expect(event.status).toBe("error");
    expect(event.error).toMatchObject({ name: "Error", message: "ledger write failed after the reply" });
    expect(event.attributes).toMatchObject({ "http.status_code": 202, "http.response_already_sent": true });
  });

  it("next(err) after the response finished is recorded as an error, response already sent", async () => {
    const { client, exporter } = checkedClient();
    const url = await startApp(client, (app) =>
      app.get(
        "/late-next",
        recordRoute(REFUND, async (_req, res, next) => {
          res.json({ ok: true });
          await new Promise((resolve) => res.once("finish", resolve));
          next(new Error("audit trail write failed"));
        }),
      ),
    );
    expect((await fetch(`${url}/late-next`)).status).toBe(200);
    const event = await oneEvent(exporter);
    expect(event.status).toBe("error");
    expect(event.error).toMatchObject({ message: "audit trail write failed" });
    expect(event.attributes).toMatchObject({ "http.status_code": 200, "http.response_already_sent": true });
  });

  it("an error raised before the response is not marked as already sent", async () => {
    const { client, exporter } = checkedClient();
    const url = await startApp(client, (app) =>
      app.get(
        "/early",
        recordRoute(REFUND, async () => {
          throw new Error("before any reply");
        }),
      ),
    );
    expect((await fetch(`${url}/early`)).status).toBe(500);
    const event = await oneEvent(exporter);
    expect(event.status).toBe("error");
    expect(event.attributes?.["http.response_already_sent"]).toBeUndefined();
  });

  it("an error the app's error handler answers with success is recorded as that answer, as in Nest", async () => {
    const { client, exporter } = checkedClient();
    const app = express();
    app.use(intentproof({ client }));
    app.post(
      "/refunds",
      recordRoute(REFUND, async () => {
        throw Object.assign(new Error("already refunded"), { code: "ALREADY_DONE" });
      }),
    );
    app.use((error: Error & { code?: string }, _req: Request, res: Response, next: NextFunction) => {
      if (error.code !== "ALREADY_DONE") return next(error);
      res.status(200).json({ alreadyDone: true });
    });
    const url = await start(app);
    const response = await fetch(`${url}/refunds`, { method: "POST" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ alreadyDone: true });
    const event = await oneEvent(exporter);
    expectValidEvent(event);
    expect(event).toMatchObject({ status: "ok", output: { alreadyDone: true }, attributes: { "http.status_code": 200 } });
    expect(event.error).toBeUndefined();
  });

  it("a handler still running after its response is recorded ok once it resolves", async () => {
    const { client, exporter } = checkedClient();
    let finishedAt = 0;
    const url = await startApp(client, (app) =>
      app.get(
        "/tail",
        recordRoute(REFUND, async (_req, res) => {
          res.json({ ok: true });
          await new Promise((resolve) => res.once("finish", resolve));
          finishedAt = Date.now();
          await tick(20);
        }),
      ),
    );
    await fetch(`${url}/tail`);
    const event = await oneEvent(exporter);
    expect(event.status).toBe("ok");
    expect(event.output).toEqual({ ok: true });
    // The call ended when the handler did, not when the response went out.
    expect(Date.parse(event.completedAt)).toBeGreaterThanOrEqual(finishedAt);
  });
});

/** An app with one recorded /refund route answering with `answer`; `configure` sets the app up first. */
async function serveRefund(method: "get" | "delete", answer: (res: Response) => void, configure?: (app: Express) => void) {
  const { client, exporter } = checkedClient();
  const url = await startApp(client, (app) => {
    configure?.(app);
    app[method]("/refund", recordRoute(REFUND, (_req, res) => answer(res)));
  });
  return { url, exporter };
}

describe("recordRoute: a response without a body records no output", () => {
  it("HEAD to a recorded GET route: ok, output null, status 200, method HEAD; the client got no body", async () => {
    const { url, exporter } = await serveRefund("get", (res) => res.json({ refundId: "rf_1" }));
    const response = await fetch(`${url}/refund`, { method: "HEAD" });
    expect(response.status).toBe(200);
    expect((await response.arrayBuffer()).byteLength).toBe(0);
    const event = await oneEvent(exporter);
    expectValidEvent(event);
    expect(event).toMatchObject({ status: "ok", output: null, attributes: { "http.method": "HEAD", "http.status_code": 200 } });
  });

  it("a 204 given a body: output null, the client got no body", async () => {
    const { url, exporter } = await serveRefund("delete", (res) => res.status(204).send({ a: 1 }));
    const response = await fetch(`${url}/refund`, { method: "DELETE" });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    const event = await oneEvent(exporter);
    expectValidEvent(event);
    expect(event).toMatchObject({ status: "ok", output: null, attributes: { "http.method": "DELETE", "http.status_code": 204 } });
  });

  it("a conditional GET Express answers 304 from the ETag: output null, the client got no body", async () => {
    const { url, exporter } = await serveRefund("get", (res) => res.json({ refundId: "rf_1" }));
    const first = await fetch(`${url}/refund`);
    expect(await first.json()).toEqual({ refundId: "rf_1" });
    const etag = first.headers.get("etag");
    expect(etag).toBeTruthy();

    // node:http, not fetch: fetch adds "Cache-Control: no-cache" to a conditional request, which Express never answers 304.
    const conditional = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      httpGet(`${url}/refund`, { headers: { "if-none-match": etag! } }, (response) => {
        let body = "";
        response.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      }).on("error", reject);
    });
    expect(conditional).toEqual({ status: 304, body: "" });
    const [full, notModified] = await waitForEvents(exporter, 2);
    expectValidEvent(full);
    expectValidEvent(notModified);
    expect(full).toMatchObject({ status: "ok", output: { refundId: "rf_1" }, attributes: { "http.status_code": 200 } });
    expect(notModified).toMatchObject({ status: "ok", output: null, attributes: { "http.method": "GET", "http.status_code": 304 } });
  });
});

describe("recordRoute: a JSON body is recorded as JSON sends it", () => {
  it("a Map, a Set and a function member: the record is the JSON the client got, not their contents", async () => {
    const { url, exporter } = await serveRefund("get", (res) =>
      res.json({ roles: new Map([["admin", "secret-grant"]]), tags: new Set(["secret-tag"]), describe: () => "x", label: "grants" }),
    );
    const sent = (await (await fetch(`${url}/refund`)).json()) as unknown;
    expect(sent).toEqual({ roles: {}, tags: {}, label: "grants" });
    const event = await oneEvent(exporter);
    expectValidEvent(event);
    expect(event.output).toEqual(sent);
    expect(JSON.stringify(event)).not.toContain("secret");
  });
});

describe("recordRoute: the app's JSON replacer", () => {
  it("applies to the record as to the body: a field it drops is in neither", async () => {
    const { url, exporter } = await serveRefund(
      "get",
      (res) => res.json({ id: 7, passwordHash: "$2b$secret" }),
      (app) => app.set("json replacer", (key: string, value: unknown) => (key === "passwordHash" ? undefined : value)),
    );
    const sent = (await (await fetch(`${url}/refund`)).json()) as unknown;
    expect(sent).toEqual({ id: 7 });
    const event = await oneEvent(exporter);
    expectValidEvent(event);
    expect(event.output).toEqual(sent);
    expect(JSON.stringify(event)).not.toContain("secret");
  });
});

describe("recordRoute: the body is the text Express sent, encoded once", () => {
  it("a toJSON and a getter that change on every call ran once, and the record is what the client got", async () => {
    let calls = 0;
    let reads = 0;
    class Money {
      constructor(readonly cents: number) {}
      toJSON() {
        return { cents: this.cents, seq: ++calls };
      }
    }
    const { url, exporter } = await serveRefund("get", (res) =>
      res.json({
        amount: new Money(5),
        get reference() {
          return `ref-${++reads}`;
        },
      }),
    );
    const sent = (await (await fetch(`${url}/refund`)).json()) as unknown;
    expect(sent).toEqual({ amount: { cents: 5, seq: 1 }, reference: "ref-1" });
    const event = await oneEvent(exporter);
    expectValidEvent(event);
    expect(event.output).toEqual(sent);
    expect([calls, reads]).toEqual([1, 1]);
  });

  it("res.jsonp with a callback: the record is the object the call carries, redacted", async () => {
    const { client, exporter } = checkedClient({ serialization: { redactKeys: ["token"] } });
    const url = await startApp(client, (app) =>
      app.get("/refund", recordRoute(REFUND, (_req, res) => void res.jsonp({ refundId: "rf_1", token: "sk_live_jsonp" }))),
    );
    const response = await fetch(`${url}/refund?callback=onRefund`);
    expect(response.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(await response.text()).toContain('onRefund({"refundId":"rf_1","token":"sk_live_jsonp"})');
    const event = await oneEvent(exporter);
    expect(event.output).toEqual({ refundId: "rf_1", token: "[REDACTED]" });
  });

  it("bytes sent as JSON are the JSON they encode, redacted; bytes under another type stay bytes", async () => {
    const { client, exporter } = checkedClient({ serialization: { redactKeys: ["token"] } });
    const json = Buffer.from(JSON.stringify({ refundId: "rf_1", token: "sk_live_bytes" }));
    const url = await startApp(client, (app) => {
      app.get("/json-bytes", recordRoute(REFUND, (_req, res) => void res.type("json").send(json)));
      app.get("/text-bytes", recordRoute(REFUND, (_req, res) => void res.type("text/plain; charset=iso-8859-1").send(Buffer.from("caf\xe9", "latin1"))));
      app.get("/bytes", recordRoute(REFUND, (_req, res) => void res.send(Buffer.from([1, 2, 3]))));
    });
    for (const path of ["/json-bytes", "/text-bytes", "/bytes"]) await fetch(`${url}${path}`);
    const events = await waitForEvents(exporter, 3);
    expect(events.map((e) => e.output)).toEqual([{ refundId: "rf_1", token: "[REDACTED]" }, "caf\u00e9", "base64:AQID"]);
  });
});

describe("recordRoute: errors Express passes on for the handler", () => {
  it("res.sendFile and res.download of a missing file: the error their next got, with the 404 the client got", async () => {
    const { client, exporter } = checkedClient();
    const missing = `/nonexistent-${process.pid}/invoice.pdf`;
    const url = await startApp(client, (app) => {
      app.get("/file", recordRoute(REFUND, (_req, res) => res.sendFile(missing)));
      app.get("/download", recordRoute(REFUND, (_req, res) => res.download(missing)));
      app.use((error: Error & { status?: number }, _req: Request, res: Response, next: NextFunction) => {
        if (res.headersSent || error.status !== 404) return next(error);
        res.status(404).json({ error: "not found" });
      });
    });
    for (const path of ["/file", "/download"]) expect((await fetch(`${url}${path}`)).status).toBe(404);
    const events = await waitForEvents(exporter, 2);
    for (const event of events) {
      expectValidEvent(event);
      expect(event).toMatchObject({ status: "error", attributes: { "http.status_code": 404 } });
      expect(event.error!.message).toMatch(/ENOENT|no such file/);
      expect(JSON.stringify(event)).not.toContain(`nonexistent-${process.pid}`);
    }
  });

  it("res.render of a missing view: the lookup error, not a bare HTTP 500, without the views directories", async () => {
    const { client, exporter } = checkedClient({ includeErrorStack: true });
    const missingViews = (views: string | string[]) =>
      startApp(client, (app) => {
        app.set("views", views);
        app.engine("txt", (_path, _options, done) => done(null, "rendered"));
        app.set("view engine", "txt");
        app.get("/page", recordRoute(REFUND, (_req, res) => res.render("invoice")));
      });
    // Express's views setting: one directory (an absolute one by default), or several.
    const one = await missingViews(`/nonexistent-${process.pid}/views`);
    const several = await missingViews([`/nonexistent-${process.pid}/views`, `/nonexistent-${process.pid}/shared-views`]);
    expect((await fetch(`${one}/page`)).status).toBe(500);
    expect((await fetch(`${several}/page`)).status).toBe(500);
    const events = await waitForEvents(exporter, 2);
    expect(events.map((event) => event.error!.message).sort()).toEqual([
      'Failed to lookup view "invoice" in views directories "[Path]" or "[Path]"',
      'Failed to lookup view "invoice" in views directory "[Path]"',
    ]);
    for (const event of events) {
      expectValidEvent(event);
      expect(event.error!.stack).toContain("[Path]");
      expect(JSON.stringify(event)).not.toContain(`nonexistent-${process.pid}`);
    }
  });

  it("a route that passes on with next(): a later layer's sendFile error is not this route's", async () => {
    const { client, exporter } = checkedClient();
    const url = await startApp(client, (app) => {
      app.use(recordRoute(REFUND, (_req, _res, next) => next()));
      app.get("/file", (_req, res) => res.sendFile(`/nonexistent-${process.pid}/a.pdf`));
    });
    expect((await fetch(`${url}/file`)).status).toBe(500);
    const event = await oneEvent(exporter);
    // The client got a bare 500 from the error handler; this route only passed the request on.
    expect(event.error).toMatchObject({ name: "HttpError", message: "HTTP 500" });
  });
});

describe("recordRoute: JSON under another label", () => {
  it("res.json after res.type('html'), JSON text sent as text/plain (as a string or as bytes): the structure, redacted", async () => {
    const { client, exporter } = checkedClient({ serialization: { redactKeys: ["token"] } });
    const secret = { fileId: "f1", token: "tok-secret-2" };
    const url = await startApp(client, (app) => {
      // The legacy iframe-upload answer: JSON labelled HTML.
      app.get("/html", recordRoute(REFUND, (_req, res) => res.type("html").json(secret)));
      app.get("/text", recordRoute(REFUND, (_req, res) => res.type("text/plain").send(JSON.stringify([secret]))));
      app.get("/bytes", recordRoute(REFUND, (_req, res) => res.type("text/plain").send(Buffer.from(` ${JSON.stringify(secret)}`))));
      app.get("/jsonp", recordRoute(REFUND, (_req, res) => res.type("text/plain").jsonp(secret)));
    });
    const outputs: Record<string, unknown> = {};
    for (const path of ["/html", "/text", "/bytes", "/jsonp"]) {
      const response = await fetch(`${url}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).not.toContain("json");
      expect(JSON.stringify(JSON.parse(await response.text()))).toContain("tok-secret-2");
      const event = await oneEvent(exporter);
      expectValidEvent(event);
      expect(JSON.stringify(event)).not.toContain("tok-secret-2");
      outputs[path] = event.output;
      exporter.clear();
    }
    const redacted = { fileId: "f1", token: "[REDACTED]" };
    expect(outputs).toEqual({ "/html": redacted, "/text": [redacted], "/bytes": redacted, "/jsonp": redacted });
  });

  it("text that only starts like JSON stays text; long text that starts like JSON is unrecorded", async () => {
    const { client, exporter } = checkedClient({ serialization: { maxStringLength: 100 } });
    const long = `[${"x".repeat(500)}`;
    const url = await startApp(client, (app) => {
      app.get("/log", recordRoute(REFUND, (_req, res) => res.type("text/plain").send("[INFO] refund queued")));
      app.get("/template", recordRoute(REFUND, (_req, res) => res.type("text/plain").send("{{name}}")));
      app.get("/scalar", recordRoute(REFUND, (_req, res) => res.type("text/plain").send("42")));
      app.get("/long", recordRoute(REFUND, (_req, res) => res.type("text/plain").send(long)));
    });
    const outputs: Record<string, unknown> = {};
    for (const path of ["/log", "/template", "/scalar", "/long"]) {
      expect((await fetch(`${url}${path}`)).status).toBe(200);
      outputs[path] = (await oneEvent(exporter)).output;
      exporter.clear();
    }
    expect(outputs).toEqual({ "/log": "[INFO] refund queued", "/template": "{{name}}", "/scalar": "42", "/long": "[Body:unrecorded]" });
  });
});

describe("recordRoute: a request body kept as bytes", () => {
  it("express.text() for a webhook: the JSON the text carries, redacted, and the handler still gets its string; other text as sent", async () => {
    const { client, exporter } = checkedClient({ serialization: { redactKeys: ["token"] } });
    const received: unknown[] = [];
    const app = express();
    app.use(intentproof({ client }));
    app.post(
      "/webhook",
      express.text({ type: ["application/json", "text/plain"] }),
      recordRoute(REFUND, (req, res) => {
        received.push(req.body);
        res.sendStatus(204);
      }),
    );
    const url = await start(app);
    const post = (type: string, body: string) => fetch(`${url}/webhook`, { method: "POST", headers: { "content-type": type }, body });
    await post("application/json", '{"token":"wh-secret","id":"evt_1"}');
    expect((await oneEvent(exporter)).inputs).toEqual({ body: { token: "[REDACTED]", id: "evt_1" } });
    exporter.clear();
    await post("text/plain", "order ord_1 refunded");
    expect((await oneEvent(exporter)).inputs).toEqual({ body: "order ord_1 refunded" });
    expect(received).toEqual(['{"token":"wh-secret","id":"evt_1"}', "order ord_1 refunded"]);
  });

  it("express.raw() for a form-encoded webhook (as Slack and Twilio send): its fields, redacted", async () => {
    const { client, exporter } = checkedClient({ serialization: { redactKeys: ["token"] } });
    const app = express();
    app.use(intentproof({ client }));
    app.post(
      "/slack",
      express.raw({ type: "application/x-www-form-urlencoded" }),
      recordRoute(REFUND, (_req, res) => res.sendStatus(200)),
    );
    const url = await start(app);
    const form = "token=slack-secret&command=%2Frefund&text=ord_1";
    await fetch(`${url}/slack`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form });
    const event = await oneEvent(exporter);
    expect(event.inputs).toEqual({ body: { token: "[REDACTED]", command: "/refund", text: "ord_1" } });
    expect(JSON.stringify(event)).not.toContain("slack-secret");
  });

  it("express.raw() for a webhook: the JSON the bytes carry, redacted, and the handler still gets its Buffer", async () => {
    const { client, exporter } = checkedClient({ serialization: { redactKeys: ["password"] } });
    let received: unknown;
    const app = express();
    app.use(intentproof({ client }));
    app.post(
      "/webhook",
      express.raw({ type: "application/json" }),
      recordRoute(REFUND, (req, res) => {
        received = req.body;
        res.sendStatus(204);
      }),
    );
    const url = await start(app);
    await fetch(`${url}/webhook`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"password":"hunter2","id":"evt_1"}' });
    const event = await oneEvent(exporter);
    expect(Buffer.isBuffer(received)).toBe(true);
    expect(event.inputs).toEqual({ body: { password: "[REDACTED]", id: "evt_1" } });
    expect(JSON.stringify(event)).not.toContain("hunter2");
  });
});

describe("recordRoute: a client that resets the connection while a large body is still being sent", () => {
  it("is client_aborted on every Node (before Node 24 the response still reported itself finished)", async () => {
    const { client, exporter } = checkedClient();
    const rows = Array.from({ length: 300_000 }, (_, i) => ({ id: i, name: `row-${i}` }));
    const url = await startApp(client, (app) => app.get("/export", recordRoute(REFUND, (_req, res) => void res.json({ rows }))));
    const { port } = new URL(url);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1", () => socket.write("GET /export HTTP/1.1\r\nHost: test\r\n\r\n"));
      socket.once("data", () => {
        socket.resetAndDestroy();
        resolve();
      });
      socket.once("error", reject);
    });
    const event = await oneEvent(exporter);
    expectValidEvent(event);
    expect(event.status).toBe("error");
    expect(event.error!.name).toBe("ClientAbortedError");
    expect(event.attributes).toMatchObject({ "http.client_aborted": true, "http.status_code": 200 });
  });
});
