import { afterEach, describe, expect, it, vi } from "vitest";
import type { ExecutionEvent } from "../../src/core/types.js";
import { HttpExporter, HttpExporterError, type HttpExporterOptions } from "../../src/exporters/http.js";
import { startCollector, type Collector, type CollectorOptions } from "../support/collector.js";
import { makeEvent, makeEvents, seqOf } from "./fixtures.js";

const SECRET = "s3cr3t-token-value-9f8e7d";
const API_KEY = "k3y-abcdef-123456";

interface Reported {
  error: Error;
  event: ExecutionEvent;
}

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function collector(options?: CollectorOptions): Promise<Collector> {
  const c = await startCollector(options);
  cleanups.push(() => c.close());
  return c;
}

function exporter(options: HttpExporterOptions): { http: HttpExporter; reported: Reported[] } {
  const reported: Reported[] = [];
  const http = new HttpExporter({ onError: (error, event) => reported.push({ error, event }), ...options });
  cleanups.push(() => http.shutdown());
  return { http, reported };
}

/** A port nobody listens on: a collector started and closed again. */
async function closedPortUrl(protocol = "http"): Promise<string> {
  const c = await startCollector();
  await c.close();
  return `${protocol}://127.0.0.1:${c.port}/v1/events`;
}

describe("HttpExporter delivery", () => {
  it("POSTs the exact envelope as application/json", async () => {
    const c = await collector();
    const { http, reported } = exporter({ url: c.url, awaitEach: true });
    const event = makeEvent(1);

    await http.export(event);

    expect(c.received).toHaveLength(1);
    const request = c.received[0];
    expect(request.method).toBe("POST");
    expect(request.path).toBe("/v1/events");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.rawBody).toBe(JSON.stringify({ intentproof: "1", event }));
    expect(request.body).toEqual({ intentproof: "1", event });
    expect(Object.keys(request.body)).toEqual(["intentproof", "event"]);
    expect(c.events()).toEqual([event]);
    expect(reported).toEqual([]);
  });

  it("export() returns nothing without awaitEach and a promise with it", async () => {
    const c = await collector();
    const background = exporter({ url: c.url }).http;
    expect(background.export(makeEvent(1))).toBeUndefined();
    const awaited = exporter({ url: c.url, awaitEach: true }).http;
    const result = awaited.export(makeEvent(2));
    expect(result).toBeInstanceOf(Promise);
    await result;
    const arrived = await c.waitForEvents(2);
    expect(arrived.map(seqOf).sort()).toEqual([1, 2]);
    await expect(c.waitForRequests(3, 50)).rejects.toThrow(/timed out after 50 ms waiting for 3 requests/);
  });

  it("sends only its own headers: no cookie, authorization or proxy credentials unless configured", async () => {
    const c = await collector();
    const savedEnv = { HTTP_PROXY: process.env.HTTP_PROXY, HTTPS_PROXY: process.env.HTTPS_PROXY, http_proxy: process.env.http_proxy };
    // A proxy in the environment must not be used nor leak its credentials.
    process.env.HTTP_PROXY = "http://proxyuser:proxypass@127.0.0.1:9";
    process.env.http_proxy = "http://proxyuser:proxypass@127.0.0.1:9";
    try {
      const { http, reported } = exporter({ url: c.url, awaitEach: true });
      await http.export(makeEvent(1));
      expect(reported).toEqual([]);
    } finally {
      for (const [key, value] of Object.entries(savedEnv)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
    const names = Object.keys(c.received[0].headers).sort();
    expect(names).toEqual(["connection", "content-length", "content-type", "host", "user-agent"]);
    expect(c.received[0].headers.connection).toBe("keep-alive");
  });

  it("sends configured headers, and nothing else extra", async () => {
    const c = await collector();
    const { http } = exporter({
      url: c.url,
      awaitEach: true,
      headers: { Authorization: `Bearer ${SECRET}`, "X-Api-Key": API_KEY },
    });
    await http.export(makeEvent(1));
    const headers = c.received[0].headers;
    expect(headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(headers["x-api-key"]).toBe(API_KEY);
    expect(headers.cookie).toBeUndefined();
    expect(Object.keys(headers).sort()).toEqual([
      "authorization",
      "connection",
      "content-length",
      "content-type",
      "host",
      "user-agent",
      "x-api-key",
    ]);
  });

  it("lets a configured content-type replace the default", async () => {
    const c = await collector();
    const { http } = exporter({ url: c.url, awaitEach: true, headers: { "Content-Type": "application/vnd.intentproof+json" } });
    await http.export(makeEvent(1));
    expect(c.received[0].headers["content-type"]).toBe("application/vnd.intentproof+json");
  });

  it("uses a custom method, upper-cased", async () => {
    const c = await collector();
    const put = exporter({ url: c.url, awaitEach: true, method: "put" }).http;
    await put.export(makeEvent(1));
    const patch = exporter({ url: c.url, awaitEach: true, method: "PATCH" }).http;
    await patch.export(makeEvent(2));
    expect(c.received.map((r) => r.method)).toEqual(["PUT", "PATCH"]);
  });

  it("keeps the URL's query string", async () => {
    const c = await collector();
    const { http } = exporter({ url: `${c.url}?tenant=acme`, awaitEach: true });
    await http.export(makeEvent(1));
    expect(c.received[0].path).toBe("/v1/events?tenant=acme");
  });

  it("sends a custom body(): objects as JSON, strings as they are", async () => {
    const c = await collector();
    const event = makeEvent(1);
    const asObject = exporter({ url: c.url, awaitEach: true, body: (e) => ({ records: [e.id], source: "test" }) });
    await asObject.http.export(event);
    const asString = exporter({ url: c.url, awaitEach: true, body: (e) => `id=${e.id}` });
    await asString.http.export(event);

    expect(c.received[0].body).toEqual({ records: [event.id], source: "test" });
    expect(c.received[1].rawBody).toBe(`id=${event.id}`);
    expect(asObject.reported).toEqual([]);
    expect(asString.reported).toEqual([]);
  });

  it("reports a throwing body() and still sends the default envelope", async () => {
    const c = await collector();
    const hookFailure = new Error("template broke");
    const { http, reported } = exporter({
      url: c.url,
      awaitEach: true,
      body: () => {
        throw hookFailure;
      },
    });
    const event = makeEvent(1);
    await http.export(event);

    expect(c.received[0].body).toEqual({ intentproof: "1", event });
    expect(reported).toHaveLength(1);
    expect(reported[0].event).toStrictEqual(event); // a copy: the event may be shared with other exporters
    expect(reported[0].error).toBeInstanceOf(HttpExporterError);
    expect(reported[0].error).toMatchObject({ code: "ERR_BODY_HOOK", cause: hookFailure });
    expect(reported[0].error.message).toMatch(/^HttpExporter: body\(event\) failed/);
  });

  it("treats a body() result with no JSON form like a throwing one", async () => {
    const c = await collector();
    const { http, reported } = exporter({ url: c.url, awaitEach: true, body: () => undefined });
    const event = makeEvent(1);
    await http.export(event);
    expect(c.received[0].body).toEqual({ intentproof: "1", event });
    expect(reported.map((r) => (r.error as HttpExporterError).code)).toEqual(["ERR_BODY_HOOK"]);
  });

  it("sends the identifying fields when the event cannot be serialized", async () => {
    const c = await collector();
    const { http, reported } = exporter({ url: c.url, awaitEach: true });
    // Not a valid event on purpose: a bigint makes JSON.stringify throw.
    const broken = { ...makeEvent(1), output: { amount: 10n } } as unknown as ExecutionEvent;
    await http.export(broken);

    expect(c.received[0].body).toEqual({
      intentproof: "1",
      event: {
        id: broken.id,
        intent: broken.intent,
        action: broken.action,
        status: "ok",
        correlationId: "corr-1",
      },
      eventSerializeFailed: true,
    });
    expect(reported.map((r) => (r.error as HttpExporterError).code)).toEqual(["ERR_EVENT_SERIALIZE"]);
  });

  it("falls back to the last-resort envelope when even the identifying fields cannot be read", async () => {
    const c = await collector();
    const { http, reported } = exporter({ url: c.url, awaitEach: true });
    const hostile = Object.defineProperty({}, "id", {
      enumerable: true,
      get() {
        throw new Error("no id for you");
      },
    }) as ExecutionEvent;
    await http.export(hostile);

    expect(c.received[0].rawBody).toBe('{"intentproof":"1","eventSerializeFailed":true}');
    expect(reported.map((r) => (r.error as HttpExporterError).code)).toEqual(["ERR_EVENT_SERIALIZE"]);
  });

  it("reuses one keep-alive connection for sequential requests", async () => {
    const c = await collector();
    const { http } = exporter({ url: c.url, awaitEach: true });
    for (const event of makeEvents(5)) await http.export(event);
    const ports = new Set(c.received.map((r) => r.remotePort));
    expect(c.received).toHaveLength(5);
    expect(ports.size).toBe(1);
  });

  it("delivers a burst of background exports", async () => {
    const c = await collector();
    const { http, reported } = exporter({ url: c.url, maxSockets: 4 });
    const events = makeEvents(50);
    for (const event of events) http.export(event);
    await http.flush();
    expect(http.inFlight).toBe(0);
    expect(reported).toEqual([]);
    expect(c.events().map(seqOf).sort((a, b) => a - b)).toEqual(events.map(seqOf));
  });

  it("works through https: too (refused here, reported like http:)", async () => {
    const { http, reported } = exporter({ url: await closedPortUrl("https"), awaitEach: true });
    await http.export(makeEvent(1));
    expect(reported.map((r) => (r.error as HttpExporterError).code)).toEqual(["ECONNREFUSED"]);
  });
});

describe("HttpExporter failures", () => {
  it("reports a 500 answer with a code and status, and resolves", async () => {
    const c = await collector({ mode: "fail500" });
    const { http, reported } = exporter({ url: c.url, awaitEach: true });
    const event = makeEvent(1);
    await expect(http.export(event)).resolves.toBeUndefined();

    expect(c.received).toHaveLength(1);
    expect(c.received[0].accepted).toBe(false);
    expect(c.events()).toEqual([]);
    expect(reported).toHaveLength(1);
    expect(reported[0].event).toStrictEqual(event); // a copy: the event may be shared with other exporters
    expect(reported[0].error.message).toBe("HttpExporter: collector answered 500");
    expect(reported[0].error).toMatchObject({ code: "ERR_HTTP_STATUS", statusCode: 500 });
  });

  it("reports a collector that never answers as a timeout after timeoutMs", async () => {
    const c = await collector({ mode: "hang" });
    const { http, reported } = exporter({ url: c.url, awaitEach: true, timeoutMs: 200 });
    const event = makeEvent(1);
    await http.export(event);

    expect(c.received).toHaveLength(1);
    expect(reported).toHaveLength(1);
    expect(reported[0].event).toStrictEqual(event); // a copy: the event may be shared with other exporters
    expect(reported[0].error.message).toBe("HttpExporter: request timed out after 200 ms");
    expect((reported[0].error as HttpExporterError).code).toBe("ETIMEDOUT");
    expect(http.inFlight).toBe(0);
  });

  it("reports a refused connection", async () => {
    const c = await collector();
    await c.setMode("refuse");
    const { http, reported } = exporter({ url: c.url, awaitEach: true });
    await http.export(makeEvent(1));

    expect(reported).toHaveLength(1);
    expect(reported[0].error.message).toBe("HttpExporter: ECONNREFUSED");
    expect((reported[0].error as HttpExporterError).code).toBe("ECONNREFUSED");
  });

  it("recovers when the collector comes back on the same port", async () => {
    const c = await collector();
    const { http, reported } = exporter({ url: c.url, awaitEach: true });
    await http.export(makeEvent(1));
    await c.setMode("refuse");
    await http.export(makeEvent(2));
    await c.setMode("ok");
    await http.export(makeEvent(3));

    expect(c.events().map(seqOf)).toEqual([1, 3]);
    expect(reported.map((r) => seqOf(r.event))).toEqual([2]);
  });

  it("never throws or rejects out of export, flush or shutdown, whatever the collector does", async () => {
    for (const mode of ["fail500", "hang", "refuse"] as const) {
      const c = await collector({ mode });
      for (const awaitEach of [false, true]) {
        const { http, reported } = exporter({ url: c.url, awaitEach, timeoutMs: 150 });
        const events = makeEvents(3);
        for (const event of events) {
          let result: unknown;
          expect(() => {
            result = http.export(event);
          }).not.toThrow();
          if (awaitEach) await expect(result).resolves.toBeUndefined();
        }
        await expect(http.flush()).resolves.toBeUndefined();
        await expect(http.shutdown()).resolves.toBeUndefined();
        expect(reported.map((r) => r.event)).toEqual(events);
      }
    }
  });

  it("contains an onError handler that throws", async () => {
    const c = await collector({ mode: "fail500" });
    const http = new HttpExporter({
      url: c.url,
      awaitEach: true,
      onError: () => {
        throw new Error("handler bug");
      },
    });
    cleanups.push(() => http.shutdown());
    await expect(http.export(makeEvent(1))).resolves.toBeUndefined();
  });

  it("writes one stderr line per failure by default, without header values or the body", async () => {
    const c = await collector({ mode: "fail500" });
    const lines: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const http = new HttpExporter({ url: c.url, awaitEach: true, headers: { authorization: `Bearer ${SECRET}` } });
    cleanups.push(() => http.shutdown());
    const event = makeEvent(1);
    await http.export(event);
    vi.restoreAllMocks();

    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^intentproof: HttpExporter: collector answered 500 \[ERR_HTTP_STATUS\] \(event [0-9a-f-]{36}\)\n$/);
    expect(lines[0]).toContain(event.id);
    expect(lines[0]).not.toContain(SECRET);
    expect(lines[0]).not.toContain("refund");
  });

  it("never puts a configured secret header value into an error", async () => {
    const headers = { authorization: `Bearer ${SECRET}`, "x-api-key": API_KEY };
    const all: Reported[] = [];
    for (const mode of ["fail500", "hang", "refuse"] as const) {
      const c = await collector({ mode });
      const { http, reported } = exporter({
        url: `${c.url}?key=${API_KEY}`,
        headers,
        awaitEach: true,
        // Long enough that a refused connect is never mistaken for a timeout on a busy machine.
        timeoutMs: 400,
        body: () => {
          throw new Error("hook failed");
        },
      });
      await http.export(makeEvent(1));
      await http.shutdown();
      await http.export(makeEvent(2));
      all.push(...reported);
    }
    const codes = new Set(all.map((r) => (r.error as HttpExporterError).code));
    expect(codes).toEqual(new Set(["ERR_BODY_HOOK", "ERR_HTTP_STATUS", "ETIMEDOUT", "ECONNREFUSED", "ERR_EXPORTER_SHUT_DOWN"]));
    for (const { error } of all) {
      const rendered = `${error.message} ${error.stack ?? ""} ${JSON.stringify(error)} ${String(error)}`;
      expect(rendered).not.toContain(SECRET);
      expect(rendered).not.toContain(API_KEY);
    }
  });
});

describe("HttpExporter flush and shutdown", () => {
  it("flush() waits for the requests in flight", async () => {
    const c = await collector({ delayMs: 150 });
    const { http, reported } = exporter({ url: c.url });
    for (const event of makeEvents(3)) http.export(event);
    expect(http.inFlight).toBe(3);

    await http.flush();

    expect(http.inFlight).toBe(0);
    expect(c.events()).toHaveLength(3);
    expect(reported).toEqual([]);
  });

  it("flush() with nothing in flight resolves at once", async () => {
    const c = await collector();
    const { http } = exporter({ url: c.url });
    await expect(http.flush()).resolves.toBeUndefined();
  });

  it("shutdown() drains, then reports later exports as shut down without sending them", async () => {
    const c = await collector({ delayMs: 100 });
    const { http, reported } = exporter({ url: c.url });
    const [first, second, late, later] = makeEvents(4);
    http.export(first);
    http.export(second);

    const done = http.shutdown();
    expect(http.shutdown()).toBe(done);
    http.export(late);
    await done;

    expect(http.inFlight).toBe(0);
    expect(c.events().map(seqOf).sort()).toEqual([0, 1]);
    const awaited = new HttpExporter({ url: c.url, awaitEach: true, onError: (error, event) => reported.push({ error, event }) });
    await awaited.shutdown();
    await expect(awaited.export(later)).resolves.toBeUndefined();
    http.export(later);

    expect(reported.map((r) => r.event)).toEqual([late, later, later]);
    for (const { error } of reported) {
      expect(error.message).toBe("HttpExporter: shut down; event not sent");
      expect((error as HttpExporterError).code).toBe("ERR_EXPORTER_SHUT_DOWN");
    }
    expect(c.received).toHaveLength(2);
  });

  it("shutdown() is bounded by timeoutMs when the collector hangs", async () => {
    const c = await collector({ mode: "hang" });
    const { http, reported } = exporter({ url: c.url, timeoutMs: 200 });
    http.export(makeEvent(1));
    await http.shutdown();
    expect(reported.map((r) => (r.error as HttpExporterError).code)).toEqual(["ETIMEDOUT"]);
  });
});

describe("HttpExporter options", () => {
  const ok = "http://127.0.0.1:4318/v1/events";

  it.each([
    ["blank", "  "],
    ["empty", ""],
    ["not a string", 42],
    ["missing", undefined],
  ])("rejects a %s url with a TypeError naming url", (_label, url) => {
    expect(() => new HttpExporter({ url: url as string })).toThrow(TypeError);
    expect(() => new HttpExporter({ url: url as string })).toThrow(/HttpExporter: "url"/);
  });

  it("rejects URLs that are not http: or https:", () => {
    expect(() => new HttpExporter({ url: "ftp://127.0.0.1/events" })).toThrow(TypeError);
    expect(() => new HttpExporter({ url: "ftp://127.0.0.1/events" })).toThrow('"url" must use http: or https:, got "ftp:"');
    expect(() => new HttpExporter({ url: "file:///tmp/events" })).toThrow(TypeError);
    expect(() => new HttpExporter({ url: "collector.local/events" })).toThrow(/"url" is not a valid absolute URL/);
  });

  it("rejects credentials in the URL without echoing them", () => {
    for (const url of ["http://user:hunter2@127.0.0.1/events", "https://token@127.0.0.1/events"]) {
      let caught: unknown;
      try {
        new HttpExporter({ url });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(TypeError);
      expect((caught as Error).message).toMatch(/"url" must not contain credentials/);
      expect((caught as Error).message).not.toMatch(/hunter2|token@/);
    }
  });

  it("requires options", () => {
    expect(() => new HttpExporter(undefined as never)).toThrow(TypeError);
    expect(() => new HttpExporter(null as never)).toThrow(TypeError);
  });

  it("accepts http and https URLs, trimming spaces", () => {
    expect(() => new HttpExporter({ url: ` ${ok} ` }).shutdown()).not.toThrow();
    expect(() => new HttpExporter({ url: "https://collector.example.com/v1/events" }).shutdown()).not.toThrow();
  });

  it("checks header names and values, naming the header but never its value", () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ "x-count": 5 }, /"headers\["x-count"\]" must be a string/],
      [{ "x-token": null }, /"headers\["x-token"\]" must be a string/],
      [{ "bad name": "v" }, /"headers\["bad name"\]" is not a valid header name/],
      [{ "x-secret": `${SECRET}\r\nx-injected: 1` }, /"headers\["x-secret"\]" holds characters not allowed/],
      [{ "Content-Length": "10" }, /"headers\["Content-Length"\]" is set by the exporter/],
      [{ "X-Key": "a", "x-key": "b" }, /"headers\["x-key"\]" repeats a header/],
    ];
    for (const [headers, message] of cases) {
      let caught: unknown;
      try {
        new HttpExporter({ url: ok, headers: headers as Record<string, string> });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(TypeError);
      expect((caught as Error).message).toMatch(message);
      expect((caught as Error).message).not.toContain(SECRET);
    }
    expect(() => new HttpExporter({ url: ok, headers: [] as never })).toThrow(/"headers" must be an object/);
  });

  it.each([
    [{ method: "" }, /"method" must be an HTTP method token/],
    [{ method: "PO ST" }, /"method" must be an HTTP method token/],
    [{ method: 1 }, /"method"/],
    [{ timeoutMs: 0 }, /"timeoutMs" must be a number of milliseconds greater than 0 and at most 2147483647 \(2\^31-1\), got 0/],
    // Node turns a larger delay into a 1 ms timer: every delivery would time out at once.
    [{ timeoutMs: 2 ** 31 }, /HttpExporter: "timeoutMs" must be .* at most 2147483647 \(2\^31-1\), got 2147483648/],
    [{ headrs: { authorization: "x" } }, /HttpExporter: unknown field "headrs" \(did you mean "headers"\?\)/],
    [{ timeout: 5 }, /HttpExporter: unknown field "timeout" \(did you mean "timeoutMs"\?\)/],
    [{ timeoutMs: -5 }, /"timeoutMs"/],
    [{ timeoutMs: Number.POSITIVE_INFINITY }, /"timeoutMs"/],
    [{ timeoutMs: "100" }, /"timeoutMs"/],
    [{ awaitEach: "yes" }, /"awaitEach" must be a boolean/],
    [{ onError: "log" }, /"onError" must be a function/],
    [{ body: {} }, /"body" must be a function/],
    [{ maxSockets: 0 }, /"maxSockets" must be a positive integer/],
  ])("rejects %o", (extra, message) => {
    expect(() => new HttpExporter({ url: ok, ...(extra as object) })).toThrow(TypeError);
    expect(() => new HttpExporter({ url: ok, ...(extra as object) })).toThrow(message);
  });
});
