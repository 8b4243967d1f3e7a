/**
 * The HTTP rules Express and Nest share (src/core/http): one emptiness rule
 * for default inputs, one synthetic error for a bare 5xx, one header-name
 * pattern, one inbound-correlation rule.
 */
import { createRequire } from "node:module";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { sentBodyValue } from "../../../src/core/http/index.js";
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
    expect(defaultRequestInputs({ params: new NullObject(), body: { a: 1 } })).toEqual({ body: { a: 1 } });
  });

  it("keeps everything else, including a key-less class instance, zero, false and whitespace", () => {
    class Dto {}
    for (const kept of [0, false, " ", "x", [0], Buffer.from("a"), { a: undefined }, new Dto(), new Date(0)]) {
      expect(isEmptyRequestPart(kept), String(kept)).toBe(false);
    }
  });

  it("is { params, query, body } in that order, empty parts left out", () => {
    expect(defaultRequestInputs({ params: { id: "1" }, query: {}, body: "" })).toEqual({ params: { id: "1" } });
    expect(Object.keys(defaultRequestInputs({ body: { a: 1 }, query: { q: "x" }, params: { id: "1" } }))).toEqual(["params", "query", "body"]);
    expect(defaultRequestInputs(undefined)).toEqual({});
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
    expect(defaultRequestInputs(bare)).toEqual({});
    expect(bare.reads).toBe(0);
    const withQuery = new ExpressLikeRequest("/refunds?q=x");
    expect(defaultRequestInputs(withQuery)).toEqual({ query: { q: "x" } });
    expect(withQuery.reads).toBe(1);
    // Set by a middleware on the request itself: recorded whatever the URL.
    const own = Object.defineProperty(new ExpressLikeRequest("/refunds"), "query", { value: { page: "2" }, enumerable: true });
    expect(defaultRequestInputs(own)).toEqual({ query: { page: "2" } });
    // No URL to judge by (e.g. a platform request without one): read as before.
    expect(defaultRequestInputs({ query: { q: "y" } })).toEqual({ query: { q: "y" } });
  });

  it("a throwing getter leaves its part out and never throws", () => {
    const request = {
      params: { id: "7" },
      get query(): unknown {
        throw new Error("bad query parser");
      },
      body: { amount: 1 },
    };
    expect(defaultRequestInputs(request)).toEqual({ params: { id: "7" }, body: { amount: 1 } });
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

describe("sentBodyValue: the value of a body sent whole", () => {
  const max = 1000;
  it("parses JSON back, keeps text as text and other bytes as bytes, and reads an empty body as null", () => {
    expect(sentBodyValue('{"a":1}', "application/json; charset=utf-8", undefined, max)).toEqual({ a: 1 });
    expect(sentBodyValue(Buffer.from('{"a":1}'), "application/problem+json", undefined, max)).toEqual({ a: 1 });
    expect(sentBodyValue("<h1>hi</h1>", "text/html", undefined, max)).toBe("<h1>hi</h1>");
    expect(sentBodyValue(Buffer.from("hi"), "text/plain", undefined, max)).toBe("hi");
    expect(sentBodyValue(Buffer.from([1, 2]), "application/octet-stream", undefined, max)).toEqual(Buffer.from([1, 2]));
    expect(sentBodyValue("", "application/json", undefined, max)).toBeNull();
    expect(sentBodyValue(undefined, undefined, undefined, max)).toBeNull();
    // Labelled JSON but not JSON, or longer than the limit: the text as sent.
    expect(sentBodyValue("{oops", "application/json", undefined, max)).toBe("{oops");
    expect(sentBodyValue(`[${"1,".repeat(600)}1]`, "application/json", undefined, max)).toMatch(/^\[1,1,/);
  });

  it("decompresses gzip, deflate and br, within a bound; cannot tell (undefined) otherwise", () => {
    const json = JSON.stringify({ zipped: true });
    expect(sentBodyValue(gzipSync(json), "application/json", "gzip", max)).toEqual({ zipped: true });
    expect(sentBodyValue(deflateSync(json), "application/json", "deflate", max)).toEqual({ zipped: true });
    expect(sentBodyValue(brotliCompressSync(json), "application/json", " BR ", max)).toEqual({ zipped: true });
    expect(sentBodyValue(Buffer.from(json), "application/json", "identity", max)).toEqual({ zipped: true });
    expect(sentBodyValue(Buffer.from("not gzip"), "application/json", "gzip", max)).toBeUndefined();
    expect(sentBodyValue(Buffer.from(json), "application/json", "compress", max)).toBeUndefined();
    // A small body that inflates past 4 × the string limit is not inflated.
    expect(sentBodyValue(gzipSync("x".repeat(100_000)), "text/plain", "gzip", max)).toBeUndefined();
  });
});
