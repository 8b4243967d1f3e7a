/**
 * Listeners a handler adds to the request ('data', 'end') and the response
 * ('finish', 'close') run in the request's correlation scope, though Node
 * emits them from the connection's own async context.
 */
import express from "express";
import { EventEmitter } from "node:events";
import { request as httpRequest } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { getCorrelationId } from "../../src/index.js";
import { intentproof, recordRoute } from "../../src/express.js";
import { checkedClient, closeServers, start } from "./recorded-app.js";
import { waitForEvents } from "./serve.js";

const HEADER = "x-intentproof-correlation-id";

afterEach(closeServers);

type Seen = Record<string, Array<string | undefined>>;

/** Posts `chunks` with a pause between them, so 'data' arrives after the handler has returned. */
function postInChunks(url: string, id: string, chunks: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/upload`, { method: "POST", headers: { [HEADER]: id, "content-type": "text/plain" } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve(text));
    });
    req.on("error", reject);
    let i = 0;
    const writeNext = () => {
      if (i === chunks.length) return void req.end();
      req.write(chunks[i++]);
      setTimeout(writeNext, 2);
    };
    writeNext();
  });
}

function uploadHandler(seen: Map<string, Seen>) {
  return (req: express.Request, res: express.Response) => {
    const own = req.get(HEADER)!;
    const record: Seen = { data: [], end: [], finish: [], close: [] };
    seen.set(own, record);
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      record.data!.push(getCorrelationId());
      size += chunk.length;
    });
    req.on("end", () => {
      record.end!.push(getCorrelationId());
      res.once("finish", () => record.finish!.push(getCorrelationId()));
      res.once("close", () => record.close!.push(getCorrelationId()));
      res.json({ size });
    });
  };
}

async function expectEveryCallbackSawItsId(url: string, seen: Map<string, Seen>, count: number): Promise<void> {
  const ids = Array.from({ length: count }, (_, i) => `upload-${i}`);
  await Promise.all(ids.map((id) => postInChunks(url, id, ["alpha-", "beta-", "gamma"])));
  // 'close' follows 'finish' on the server shortly after the client has its answer.
  const deadline = Date.now() + 3000;
  while ([...seen.values()].some((r) => r.close!.length === 0) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  expect(seen.size).toBe(count);
  let callbacks = 0;
  for (const id of ids) {
    const record = seen.get(id)!;
    expect(record.data!.length).toBeGreaterThanOrEqual(1);
    for (const kind of ["data", "end", "finish", "close"]) {
      expect(record[kind], `${kind} callbacks of ${id}`).not.toHaveLength(0);
      for (const observed of record[kind]!) expect(observed, `${kind} of ${id}`).toBe(id);
      callbacks += record[kind]!.length;
    }
  }
  expect(callbacks).toBeGreaterThanOrEqual(count * 4);
}

describe("request and response listeners keep the request's correlation id", () => {
  it("with intentproof(): req 'data'/'end' and res 'finish'/'close' of 100 concurrent requests", async () => {
    const seen = new Map<string, Seen>();
    const app = express();
    app.use(intentproof({ client: checkedClient().client }));
    app.post("/upload", uploadHandler(seen));
    await expectEveryCallbackSawItsId(await start(app), seen, 100);
  });

  it("inside a recorded route too, and the route's event carries the same id", async () => {
    const seen = new Map<string, Seen>();
    const { client, exporter } = checkedClient();
    const app = express();
    app.use(intentproof({ client }));
    app.post("/upload", recordRoute({ intent: "Receive an upload", action: "uploads.receive" }, uploadHandler(seen)));
    await expectEveryCallbackSawItsId(await start(app), seen, 50);
    const events = await waitForEvents(exporter, 50);
    expect(new Set(events.map((e) => e.correlationId))).toEqual(new Set([...seen.keys()]));
  });

  it("a listener removed with removeListener is gone, and emit's return value is kept", async () => {
    const app = express();
    app.use(intentproof({ client: checkedClient().client }));
    let removedCalls = 0;
    let emitResult: boolean | undefined;
    app.get("/remove", (req, res) => {
      const listener = () => removedCalls++;
      res.on("finish", listener);
      res.removeListener("finish", listener);
      emitResult = req.emit("intentproof-test-event");
      res.json({ id: getCorrelationId() });
    });
    const url = await start(app);
    const body = (await (await fetch(`${url}/remove`, { headers: { [HEADER]: "rm-1" } })).json()) as { id: string };
    expect(body.id).toBe("rm-1");
    expect(removedCalls).toBe(0);
    expect(emitResult).toBe(false);
  });

  it("in a sub-app mounted under the app that mounts intentproof()", async () => {
    const seen = new Map<string, Seen>();
    const app = express();
    const sub = express();
    sub.post("/upload", uploadHandler(seen));
    app.use(intentproof({ client: checkedClient().client }));
    app.use("/files", sub);
    const url = await start(app);
    await expectEveryCallbackSawItsId(`${url}/files`, seen, 20);
  });

  it("after the request leaves the sub-app that mounts intentproof(), for listeners added inside it", async () => {
    const finished: Array<string | undefined> = [];
    const closed: Array<string | undefined> = [];
    const app = express();
    const sub = express();
    sub.use(intentproof({ client: checkedClient().client }));
    sub.use((_req, res, next) => {
      res.once("finish", () => finished.push(getCorrelationId()));
      res.once("close", () => closed.push(getCorrelationId()));
      next();
    });
    app.use("/api", sub);
    // No route of the sub-app matches: Express hands the request back to the app, on the app's prototypes.
    app.get("/api/orders", (_req, res) => res.json({ id: getCorrelationId() }));
    const url = await start(app);
    const ids = ["leave-1", "leave-2", "leave-3"];
    for (const id of ids) {
      const body = (await (await fetch(`${url}/api/orders`, { headers: { [HEADER]: id } })).json()) as { id: string };
      expect(body.id).toBe(id);
    }
    await expect.poll(() => closed.length).toBe(ids.length);
    expect(finished).toEqual(ids);
    expect(closed).toEqual(ids);
  });

  it("at an app's root, the scoped emit is the app's prototypes' own: requests and responses gain no emit, other apps keep Node's", async () => {
    const nodeEmit = EventEmitter.prototype.emit;
    const app = express();
    const other = express();
    const ownEmits: boolean[] = [];
    const finishIds: Array<string | undefined> = [];
    app.use(express.json());
    app.use(intentproof({ client: checkedClient().client }));
    app.post("/orders", (req, res) => {
      ownEmits.push(Object.hasOwn(req, "emit"), Object.hasOwn(res, "emit"));
      res.once("finish", () => finishIds.push(getCorrelationId()));
      res.json({ id: getCorrelationId(), body: req.body as unknown });
    });
    const url = await start(app);
    const answer = await fetch(`${url}/orders`, {
      method: "POST",
      headers: { [HEADER]: "proto-1", "content-type": "application/json" },
      body: JSON.stringify({ sku: "a-1" }),
    });
    expect(await answer.json()).toEqual({ id: "proto-1", body: { sku: "a-1" } });
    expect(ownEmits).toEqual([false, false]);
    await expect.poll(() => finishIds).toEqual(["proto-1"]);
    expect(app.request.emit).not.toBe(nodeEmit);
    expect(app.response.emit).not.toBe(nodeEmit);
    expect(other.request.emit).toBe(nodeEmit);
    expect(other.response.emit).toBe(nodeEmit);
  });

  it("an app that served requests at its root and is then mounted under another: listeners still see the id after the request leaves it", async () => {
    const seenData = new Map<string, Array<string | undefined>>();
    const sub = express();
    sub.use(intentproof({ client: checkedClient().client }));
    // 'data' arrives chunk by chunk from the connection, after routing has moved on.
    sub.use((req, _res, next) => {
      const ids: Array<string | undefined> = [];
      seenData.set(req.get(HEADER)!, ids);
      req.on("data", () => ids.push(getCorrelationId()));
      next();
    });
    const answerAtEnd = (req: express.Request, res: express.Response) => {
      req.on("end", () => res.json({ id: getCorrelationId() }));
    };
    sub.post("/upload", answerAtEnd);
    expect(await postInChunks(await start(sub), "root-1", ["a-", "b-", "c"])).toBe('{"id":"root-1"}');
    const app = express();
    app.use("/api", sub);
    // No route of the sub-app matches: the request goes back to the app, on the app's prototypes.
    app.post("/api/elsewhere/upload", answerAtEnd);
    expect(await postInChunks(`${await start(app)}/api/elsewhere`, "mounted-1", ["a-", "b-", "c"])).toBe('{"id":"mounted-1"}');
    for (const id of ["root-1", "mounted-1"]) {
      expect(seenData.get(id)!.length, id).toBeGreaterThanOrEqual(1);
      expect(new Set(seenData.get(id)), id).toEqual(new Set([id]));
    }
  });

  it("an app whose request prototype has its own emit keeps it, and its listeners still see the id", async () => {
    const app = express();
    const seenByCustomEmit: string[] = [];
    const inherited = app.request.emit;
    app.request.emit = function (this: express.Request, event: string | symbol, ...args: unknown[]) {
      if (event === "end") seenByCustomEmit.push(this.get(HEADER)!);
      return Reflect.apply(inherited, this, [event, ...args]) as boolean;
    } as typeof app.request.emit;
    const seen = new Map<string, Seen>();
    app.use(intentproof({ client: checkedClient().client }));
    app.post("/upload", uploadHandler(seen));
    await expectEveryCallbackSawItsId(await start(app), seen, 10);
    expect(seenByCustomEmit.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `upload-${i}`).sort());
  });

  it("an app without intentproof() in the same process: its listeners run as before, with no id", async () => {
    const instrumented = express();
    instrumented.use(intentproof({ client: checkedClient().client }));
    instrumented.get("/", (_req, res) => res.json({ id: getCorrelationId() }));
    const plain = express();
    const finishIds: Array<string | undefined> = [];
    let emitted: boolean | undefined;
    plain.get("/", (req, res) => {
      res.once("finish", () => finishIds.push(getCorrelationId()));
      emitted = req.emit("intentproof-test-event");
      res.json({ ok: true });
    });
    const [instrumentedUrl, plainUrl] = [await start(instrumented), await start(plain)];
    expect(((await (await fetch(instrumentedUrl, { headers: { [HEADER]: "i-1" } })).json()) as { id: string }).id).toBe("i-1");
    expect(await (await fetch(plainUrl, { headers: { [HEADER]: "p-1" } })).json()).toEqual({ ok: true });
    await expect.poll(() => finishIds.length).toBe(1);
    expect(finishIds).toEqual([undefined]);
    expect(emitted).toBe(false);
  });
});
