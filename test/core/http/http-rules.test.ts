/**
 * The HTTP rules Express and Nest share (src/core/http): one emptiness rule
 * for default inputs, one synthetic error for a bare 5xx, one header-name
 * pattern, one inbound-correlation rule.
 */
import { createRequire } from "node:module";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { SentBody, UNRECORDED_BODY } from "../../../src/core/http/index.js";
import { describe, expect, it } from "vitest";
import {
  defaultRequestInputs,
  DEFAULT_CORRELATION_HEADER,
  inboundCorrelationId,
  isEmptyRequestPart,
  isErrorStatus,
  isHeaderName,
  statusError,
} from "../../../src/core/http/index.js";
import { isUuidV4 } from "../../support/event-validator.js";

const fastifyRequire = createRequire(createRequire(import.meta.url).resolve("fastify"));

describe("default request inputs", () => {
  it("leaves out undefined, null, the empty string, empty arrays, empty bytes and key-less plain objects", () => {
    for (const empty of [undefined, null, "", [], new Uint8Array(0), Buffer.alloc(0), {}, Object.create(null)]) {
      expect(isEmptyRequestPart(empty)).toBe(true);
    }
  });

  it("counts Fastify's key-less route params as empty, as Express's", () => {
    // Fastify's router builds params from a constructor whose prototype is a bare null-prototype object.
    const { NullObject } = fastifyRequire("find-my-way/lib/null-object.js") as {
      NullObject: new () => object;
    };
    expect(isEmptyRequestPart(new NullObject())).toBe(true);
    expect(defaultRequestInputs({ params: new NullObject(), body: { a: 1 } }, 65_536)).toEqual({ body: { a: 1 } });
  });

  it("keeps everything else, including a key-less class instance, zero, false and whitespace", () => {
    class Dto {}
    for (const kept of [0, false, " ", "x", [0], Buffer.from("a"), { a: undefined }, new Dto(), new Date(0)]) {
      expect(isEmptyRequestPart(kept), String(kept)).toBe(false);
    }
  });

  it("reads a body kept as bytes by the request's content type: JSON as its value, text as text, other bytes as bytes", () => {
    const request = (type: string | undefined, body: Buffer) => ({ headers: type === undefined ? {} : { "content-type": type }, body });
    const json = Buffer.from('{"password":"hunter2","amount":5}');
    expect(defaultRequestInputs(request("application/json", json), 65_536)).toEqual({ body: { password: "hunter2", amount: 5 } });
    expect(defaultRequestInputs(request("text/plain; charset=utf-8", Buffer.from("hi")), 65_536)).toEqual({ body: "hi" });
    expect(defaultRequestInputs(request("application/octet-stream", Buffer.from([1])), 65_536)).toEqual({ body: Buffer.from([1]) });
    expect(defaultRequestInputs(request(undefined, Buffer.from([1])), 65_536)).toEqual({ body: Buffer.from([1]) });
    // Past the read-back limit: neither parsed nor kept.
    expect(defaultRequestInputs(request("application/json", json), 8)).toEqual({ body: UNRECORDED_BODY });
  });

  it("is { params, query, body } in that order, empty parts left out", () => {
    expect(defaultRequestInputs({ params: { id: "1" }, query: {}, body: "" }, 65_536)).toEqual({ params: { id: "1" } });
    expect(Object.keys(defaultRequestInputs({ body: { a: 1 }, query: { q: "x" }, params: { id: "1" } }, 65_536))).toEqual(["params", "query", "body"]);
    expect(defaultRequestInputs(undefined, 65_536)).toEqual({});
  });

  it("reads a computed query only when the URL has a query string, or when the request has its own", () => {
    // Express 5 computes req.query on its prototype on every read.
    class ExpressLikeRequest {
      reads = 0;
      constructor(readonly url: string) {}
      get query(): unknown {
        this.reads++;
        return { q: "x" };
      }
    }
    const bare = new ExpressLikeRequest("/refunds");
    expect(defaultRequestInputs(bare, 65_536)).toEqual({});
    expect(bare.reads).toBe(0);
    const withQuery = new ExpressLikeRequest("/refunds?q=x");
    expect(defaultRequestInputs(withQuery, 65_536)).toEqual({ query: { q: "x" } });
    expect(withQuery.reads).toBe(1);
    // Set by a middleware on the request itself: recorded whatever the URL.
    const own = Object.defineProperty(new ExpressLikeRequest("/refunds"), "query", { value: { page: "2" }, enumerable: true });
    expect(defaultRequestInputs(own, 65_536)).toEqual({ query: { page: "2" } });
    // No URL to judge by (e.g. a platform request without one): read as before.
    expect(defaultRequestInputs({ query: { q: "y" } }, 65_536)).toEqual({ query: { q: "y" } });
  });

  it("a throwing getter leaves its part out and never throws", () => {
    const request = {
      params: { id: "7" },
      get query(): unknown {
        throw new Error("bad query parser");
      },
      body: { amount: 1 },
    };
    expect(defaultRequestInputs(request, 65_536)).toEqual({ params: { id: "7" }, body: { amount: 1 } });
  });
});

describe("synthetic errors and statuses", () => {
  it("a bare 5xx is an HttpError with the status as code; below 500 is not an error", () => {
    expect(statusError(503)).toEqual({ name: "HttpError", message: "HTTP 503", code: "503" });
    expect(isErrorStatus(500)).toBe(true);
    expect(isErrorStatus(499)).toBe(false);
  });
});

describe("header names", () => {
  it("accepts RFC 9110 tokens only", () => {
    for (const name of ["x-request-id", "X-Correlation-ID", "a!#$%&'*+.^_`|~9"]) expect(isHeaderName(name)).toBe(true);
    for (const name of ["", "bad header", "x:y", "é", "x\r\n", 5, undefined]) expect(isHeaderName(name)).toBe(false);
  });
});

describe("inbound correlation id", () => {
  it("the header's id, else a fresh UUID v4 when generating, else none", () => {
    const withHeader = { headers: { [DEFAULT_CORRELATION_HEADER]: "  order-1 " } };
    expect(inboundCorrelationId(withHeader, DEFAULT_CORRELATION_HEADER, true)).toBe("order-1");
    expect(isUuidV4(inboundCorrelationId({ headers: {} }, DEFAULT_CORRELATION_HEADER, true))).toBe(true);
    expect(inboundCorrelationId({ headers: {} }, DEFAULT_CORRELATION_HEADER, false)).toBeUndefined();
  });

  it("a hostile headers getter counts as no header", () => {
    const hostile = {
      get headers(): Record<string, unknown> {
        throw new Error("boom");
      },
    };
    expect(inboundCorrelationId(hostile, DEFAULT_CORRELATION_HEADER, false)).toBeUndefined();
  });
});

describe("SentBody: the value of a body as Node wrote it", () => {
  const max = 1000;
  /** The body sent whole, in one end(chunk, encoding). */
  const whole = (chunk: unknown, type?: string, encoding?: string, endEncoding?: string) => {
    const body = new SentBody(4 * max);
    body.end(chunk, endEncoding, type, encoding);
    return body.value(max);
  };
  it("parses JSON back, decodes text with its charset, keeps other bytes, and reads an empty body as null", () => {
    expect(whole('{"a":1}', "application/json; charset=utf-8")).toEqual({ a: 1 });
    expect(whole(Buffer.from('{"a":1}'), "application/problem+json")).toEqual({ a: 1 });
    expect(whole("<h1>hi</h1>", "text/html")).toBe("<h1>hi</h1>");
    expect(whole(Buffer.from("<a>1</a>"), "application/xml; charset=utf-8")).toBe("<a>1</a>");
    expect(whole(Buffer.from("caf\xe9", "latin1"), "text/plain; charset=iso-8859-1")).toBe("caf\u00e9");
    expect(whole(Buffer.from("x"), "text/plain; charset=no-such-charset")).toBeUndefined();
    expect(whole(Buffer.from([1, 2]), "application/octet-stream")).toEqual(Buffer.from([1, 2]));
    expect(whole("", "application/json")).toBeNull();
    expect(whole(undefined)).toBeNull();
    // end(string, encoding): the bytes the client got.
    expect(whole(Buffer.from('{"ok":true}').toString("base64"), "application/json", undefined, "base64")).toEqual({ ok: true });
    // Labelled JSON but not JSON, or past the read-back limit: not kept as
    // text, which redaction cannot reach. Longer than maxStringLength but
    // within the limit: parsed all the same (the serializer's limits cut it).
    // A leading byte order mark is skipped, as JSON body parsers skip it.
    expect(whole("{oops", "application/json")).toBe(UNRECORDED_BODY);
    expect(whole('\uFEFF{"a":1}', "application/json")).toEqual({ a: 1 });
    expect(whole(`[${"1,".repeat(600)}1]`, "application/json")).toHaveLength(601);
    expect(whole(JSON.stringify({ token: "t".repeat(4 * max) }), "application/json")).toBe(UNRECORDED_BODY);
  });

  it("reads text that is a JSON object or array under another label as that structure; other text as text", () => {
    expect(whole(' \n{"token":"t"}', "text/html")).toEqual({ token: "t" });
    expect(whole(Buffer.from('[{"a":1}]'), "text/plain")).toEqual([{ a: 1 }]);
    expect(whole('\uFEFF{"a":1}', "text/plain")).toEqual({ a: 1 });
    expect(whole("[INFO] queued", "text/plain")).toBe("[INFO] queued");
    expect(whole("42", "text/plain")).toBe("42");
    expect(whole(`{${" ".repeat(4 * max)}}`, "text/plain")).toBe(UNRECORDED_BODY);
    // Bytes under no text type stay bytes, whatever they hold.
    expect(whole(Buffer.from('{"a":1}'), "application/octet-stream")).toEqual(Buffer.from('{"a":1}'));
  });

  it("reads a URL-encoded form as its fields, a repeated name's values in an array", () => {
    const fields = whole(Buffer.from("token=t%201&id=evt_1&tag=a&tag=b&__proto__=x"), "application/x-www-form-urlencoded");
    expect(fields).toEqual({ token: "t 1", id: "evt_1", tag: ["a", "b"], ["__proto__"]: "x" });
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
    expect(whole("a=1", "application/x-www-form-urlencoded; charset=utf-8")).toEqual({ a: "1" });
    expect(whole(`a=${"x".repeat(4 * max)}`, "application/x-www-form-urlencoded")).toBe(UNRECORDED_BODY);
  });

  it("keeps an integer past 2^53 as its digits where the runtime shows them (Node 22 and later), the nearest number before", () => {
    const showsSource = JSON.parse("1", (_key, value, context?: { source?: string }) => context?.source === "1") === true;
    const text = '{"orderId":9007199254740993,"amount":1234567890123456,"ratio":1e300,"ids":[-12345678901234567890],"card":"4242424242424242"}';
    const exact = { orderId: "9007199254740993", amount: 1234567890123456, ratio: 1e300, ids: ["-12345678901234567890"], card: "4242424242424242" };
    expect(whole(text, "application/json")).toEqual(showsSource ? exact : JSON.parse(text));
    expect(whole(text, "text/plain")).toEqual(showsSource ? exact : JSON.parse(text));
    expect(showsSource).toBe(Number(process.versions.node.split(".")[0]) >= 22);
  });

  it("reads a body written in pieces when it is JSON, up to its bound; never a file, streamed text or server-sent events", () => {
    const pieces = (type: string, ...chunks: string[]) => {
      const body = new SentBody(4 * max);
      for (const chunk of chunks) body.piece(chunk, undefined);
      body.end(undefined, undefined, type, undefined);
      return body.value(max);
    };
    expect(pieces("application/json", '{"a":', "1}")).toEqual({ a: 1 });
    expect(pieces("application/octet-stream", "ab", "cd")).toBeUndefined();
    expect(pieces("text/event-stream", "data: 1\n\n")).toBeUndefined();
    expect(pieces("text/plain", "a", "b")).toBeUndefined();
    expect(pieces("application/json", `"${"x".repeat(3000)}`, `${"x".repeat(3000)}"`)).toBeUndefined();
  });

  it("decompresses gzip, deflate and br, within a bound; cannot tell (undefined) otherwise", () => {
    const json = JSON.stringify({ zipped: true });
    expect(whole(gzipSync(json), "application/json", "gzip")).toEqual({ zipped: true });
    expect(whole(deflateSync(json), "application/json", "deflate")).toEqual({ zipped: true });
    expect(whole(brotliCompressSync(json), "application/json", " BR ")).toEqual({ zipped: true });
    expect(whole(Buffer.from(json), "application/json", "identity")).toEqual({ zipped: true });
    expect(whole(Buffer.from("not gzip"), "application/json", "gzip")).toBeUndefined();
    expect(whole(Buffer.from(json), "application/json", "compress")).toBeUndefined();
    // A small body that inflates past the bound is not inflated.
    expect(whole(gzipSync("x".repeat(100_000)), "text/plain", "gzip")).toBeUndefined();
  });
});
