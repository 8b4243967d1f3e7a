import { nodeHttp } from "./node-http.js";
import type { ExecutionEvent } from "../core/types.js";
import type { HttpBodyBuilder } from "./http-envelope.js";
import { OptionsReader, describeType, describeValue, isPlainRecord } from "../core/options/options-reader.js";

/** Options of {@link HttpExporter}. */
export interface HttpExporterOptions {
  /**
   * The collector endpoint, `http:` or `https:`. Credentials do not belong in
   * the URL (`user:pass@` is rejected): put them in `headers`.
   */
  url: string;
  /** An HTTP method token. Default `"POST"`. Upper-cased, as Node does. */
  method?: string;
  /**
   * Extra request headers (string values only), e.g. `{ authorization: "Bearer …" }`.
   * Their values are never logged nor put into error messages. A configured
   * `content-type` replaces the default `application/json`; `content-length`,
   * `transfer-encoding` and `connection` are managed by the exporter and rejected.
   * Names are matched case-insensitively (a name given twice is rejected).
   */
  headers?: Record<string, string>;
  /**
   * Builds a custom body for each event (a string or bytes are sent as they
   * are, anything else as JSON). When it throws, the failure goes to `onError`
   * and the default envelope is sent instead.
   */
  body?: HttpBodyBuilder;
  /**
   * `true`: `export` returns a promise that settles when the collector has
   * answered (it resolves on failure too: failures only go to `onError`).
   * Default `false`: `export` returns nothing and the request runs in the background.
   */
  awaitEach?: boolean;
  /** Whole-request deadline (connect, send, answer) in milliseconds, at most 2^31-1. Default `10000`. */
  timeoutMs?: number;
  /**
   * Most sockets open to the collector at once; further requests wait for a
   * free socket (that wait counts towards `timeoutMs`). Default `16`.
   */
  maxSockets?: number;
  /**
   * Receives every failure: non-2xx answers, network errors, timeouts, body
   * builder failures, exports after shutdown. The error is an
   * `HttpExporterError` with a `code`. Default: one line on stderr. A handler
   * that throws is ignored.
   */
  onError?: (error: Error, event: ExecutionEvent) => void;
}

/** The validated, normalized form of {@link HttpExporterOptions}. */
export interface ResolvedHttpOptions {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: HttpBodyBuilder | undefined;
  awaitEach: boolean;
  timeoutMs: number;
  maxSockets: number;
  onError: ((error: Error, event: ExecutionEvent) => void) | undefined;
}

const OWNER = "HttpExporter";
const KNOWN_FIELDS = ["url", "method", "headers", "body", "awaitEach", "timeoutMs", "maxSockets", "onError"];
const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const MANAGED_HEADERS = new Set(["content-length", "transfer-encoding", "connection"]);

/** Checks every option once, at construction. @throws TypeError naming the option. */
export function resolveHttpOptions(options: HttpExporterOptions | undefined): ResolvedHttpOptions {
  if (options === undefined) throw new TypeError(`${OWNER}: options with a "url" are required`);
  const reader = new OptionsReader(OWNER, options, KNOWN_FIELDS);
  return {
    url: collectorUrl(reader.raw("url")),
    method: httpMethod(reader),
    headers: extraHeaders(reader.raw("headers")),
    body: reader.function<HttpBodyBuilder>("body"),
    awaitEach: reader.boolean("awaitEach", false),
    timeoutMs: reader.timeoutMs("timeoutMs", undefined, 10_000),
    maxSockets: reader.positiveInteger("maxSockets", 16),
    onError: reader.function("onError"),
  };
}

// The URL is never echoed in messages: its query string may hold a key.
function collectorUrl(value: unknown): URL {
  if (typeof value !== "string" || value.trim() === "") {
    throw new TypeError(`${OWNER}: "url" must be a non-empty http: or https: URL, got ${urlKind(value)}`);
  }
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new TypeError(`${OWNER}: "url" is not a valid absolute URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`${OWNER}: "url" must use http: or https:, got ${JSON.stringify(url.protocol)}`);
  }
  if (url.username !== "" || url.password !== "") {
    throw new TypeError(`${OWNER}: "url" must not contain credentials (user:pass@); send them in "headers"`);
  }
  return url;
}

function urlKind(value: unknown): string {
  return typeof value === "string" ? "a blank string" : describeValue(value);
}

function httpMethod(reader: OptionsReader): string {
  const value = reader.raw("method");
  if (value === undefined) return "POST";
  if (typeof value !== "string" || !HTTP_TOKEN.test(value)) reader.fail("method", 'must be an HTTP method token such as "POST"');
  return value.toUpperCase();
}

// Checked here with Node's own rules so a bad header can never make
// `http.request` throw later, at export time.
function extraHeaders(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isPlainRecord(value)) {
    throw new TypeError(`${OWNER}: "headers" must be an object of string values, got ${describeValue(value)}`);
  }
  // No prototype: a header named "__proto__" stays an ordinary key.
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, headerValue] of Object.entries(value)) {
    const label = `headers[${JSON.stringify(name)}]`;
    try {
      nodeHttp().validateHeaderName(name);
    } catch {
      throw new TypeError(`${OWNER}: "${label}" is not a valid header name`);
    }
    const lower = name.toLowerCase();
    if (MANAGED_HEADERS.has(lower)) {
      throw new TypeError(`${OWNER}: "${label}" is set by the exporter and cannot be configured`);
    }
    if (lower in headers) {
      throw new TypeError(`${OWNER}: "${label}" repeats a header already given in another letter case`);
    }
    // Header values may be secrets: the messages below never include them.
    if (typeof headerValue !== "string") {
      throw new TypeError(`${OWNER}: "${label}" must be a string, got ${describeType(headerValue)}`);
    }
    try {
      nodeHttp().validateHeaderValue(name, headerValue);
    } catch {
      throw new TypeError(`${OWNER}: "${label}" holds characters not allowed in a header value`);
    }
    headers[lower] = headerValue;
  }
  return headers;
}
