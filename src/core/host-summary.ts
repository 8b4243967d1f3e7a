/**
 * Short summaries of host objects (HTTP messages, streams, sockets, other
 * event emitters) for the serializer. Their fields are runtime internals:
 * copying them would put kilobytes of sockets, parsers and buffered chunks
 * into a record, with raw header values (tokens, cookies) and, for file
 * streams, the server's file paths. A summary reads a few named fields and
 * nothing else.
 *
 * Shapes (documented in the serializer token table):
 * - request (`IncomingMessage`, and wrappers holding one in `raw`, such as
 *   Fastify's request): `{ type: "HttpRequest", method, url, route?, headers }`
 * - response (`ServerResponse`, and wrappers holding one in `raw`, such as
 *   Fastify's reply): `{ type: "HttpResponse", statusCode, headersSent }`
 * - any other stream (file streams, sockets, `ClientRequest`, …), Nest's
 *   `StreamableFile` and web streams: `"[Stream:<constructor name>]"`
 * - an Observable: `"[Observable:<constructor name>]"`
 * - any other `EventEmitter` (servers, agents, child processes, …):
 *   `"[EventEmitter:<constructor name>]"`
 *
 * `headers` holds the few headers listed in `SUMMARY_HEADERS` plus every
 * header named in `redactKeys`, the latter as `"[REDACTED]"`; query
 * parameters of `url` whose percent-decoded name is redacted by the rule for
 * object keys (`isRedactedKey`: `user[password]` too) have their value
 * replaced by `[REDACTED]`, and so do the path segments of route parameters
 * so named (`/reset/:token`). Every string is capped at `maxStringLength`.
 */
import { EventEmitter } from "node:events";
import { capString } from "./cap-string.js";
import { decodedPathSegment } from "./path-segment.js";
import { isRedactedKey, isRedactedName, type ResolvedSerializeOptions } from "./serialize-options.js";
import type { JsonValue } from "./types.js";

/** Headers a request summary keeps: they describe the call, they do not authenticate it. */
export const SUMMARY_HEADERS: readonly string[] = Object.freeze([
  "host",
  "content-type",
  "content-length",
  "accept",
  "user-agent",
]);

const REDACTED = "[REDACTED]";
const { hasOwn } = Object;

/**
 * The summary of `source` when it is a host object, else `undefined`.
 * Throws only where a Proxy trap or getter throws (the caller's guard turns
 * that into `"[Unserializable]"`).
 */
export function summarizeHostObject(
  source: object,
  o: ResolvedSerializeOptions,
  constructorName: (source: object) => string | undefined,
): JsonValue | undefined {
  if (source instanceof EventEmitter) {
    if (isIncomingMessage(source)) return requestSummary(source, source, o);
    if (isServerResponse(source)) return responseSummary(source);
    return kindToken(isStream(source) ? "Stream" : "EventEmitter", constructorName(source), o);
  }
  if (hasOwn(source, "raw")) {
    const raw = read(source, "raw");
    if (raw instanceof EventEmitter) {
      if (isIncomingMessage(raw)) return requestSummary(raw, source, o);
      if (isServerResponse(raw)) return responseSummary(raw);
    }
  }
  // Nest's StreamableFile: a file stream behind getStream(), never read here.
  // A web stream (a `fetch` body): its state is internal.
  if (hasMethod(source, "getStream") || hasMethod(source, "getReader")) return kindToken("Stream", constructorName(source), o);
  // An Observable (rxjs's, or any with subscribe and pipe): its fields are
  // its producer's functions, and what it emits is not known yet.
  if (hasMethod(source, "subscribe") && hasMethod(source, "pipe")) return kindToken("Observable", constructorName(source), o);
  return undefined;
}

function kindToken(kind: string, name: string | undefined, o: ResolvedSerializeOptions): string {
  return `[${kind}:${capString(name ?? kind, o.maxStringLength)}]`;
}

function hasMethod(source: object, key: string): boolean {
  try {
    return typeof read(source, key) === "function";
  } catch {
    // A throwing accessor says nothing about the object's kind; it is copied as usual.
    return false;
  }
}

function read(source: object, key: string): unknown {
  return (source as Record<string, unknown>)[key];
}

function isStream(source: object): boolean {
  return typeof read(source, "pipe") === "function" || hasOwn(source, "_readableState") || hasOwn(source, "_writableState");
}

function isIncomingMessage(source: object): boolean {
  const headers = read(source, "headers");
  return typeof read(source, "httpVersion") === "string" && headers !== null && typeof headers === "object";
}

function isServerResponse(source: object): boolean {
  return typeof read(source, "statusCode") === "number" && typeof read(source, "setHeader") === "function";
}

function requestSummary(message: object, wrapper: object, o: ResolvedSerializeOptions): JsonValue {
  const cap = (text: string): string => capString(text, o.maxStringLength);
  const summary: { [key: string]: JsonValue } = { type: "HttpRequest" };
  const method = read(message, "method");
  if (typeof method === "string") summary.method = cap(method);
  // Express rewrites req.url inside mounted routers; originalUrl is what the client sent.
  const url = read(message, "originalUrl") ?? read(message, "url");
  if (typeof url === "string") summary.url = cap(redactPathParams(redactQuery(url, o), read(wrapper, "params"), o));
  const status = read(message, "statusCode");
  if (typeof status === "number") summary.statusCode = status;
  const route = routeOf(message, wrapper);
  if (route !== undefined) summary.route = cap(route);
  summary.headers = selectedHeaders(read(message, "headers") as object, o);
  return summary;
}

/** Express: `req.route.path`; Fastify: `request.routeOptions.url`. */
function routeOf(message: object, wrapper: object): string | undefined {
  const expressRoute = read(message, "route");
  if (expressRoute !== null && typeof expressRoute === "object") {
    const path = read(expressRoute, "path");
    if (typeof path === "string") return path;
  }
  if (wrapper !== message) {
    const options = read(wrapper, "routeOptions");
    if (options !== null && typeof options === "object") {
      const url = read(options, "url");
      if (typeof url === "string") return url;
    }
  }
  return undefined;
}

function selectedHeaders(headers: object, o: ResolvedSerializeOptions): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {};
  for (const name of SUMMARY_HEADERS) {
    if (isRedactedName(name, o)) continue;
    const value = read(headers, name);
    if (typeof value === "string") out[name] = capString(value, o.maxStringLength);
  }
  // Node lower-cases incoming header names, so the redact keys are looked up as given lower-cased.
  for (const name of o.redactSet) {
    if (read(headers, name) !== undefined) out[name] = REDACTED;
  }
  return out;
}

/** `url` with the value of every query parameter redacted by name (bracket and dot segments included) replaced. */
function redactQuery(url: string, o: ResolvedSerializeOptions): string {
  const start = url.indexOf("?");
  if (start === -1 || o.redactKeyMaxLength < 0) return url;
  const end = url.indexOf("#", start);
  const query = url.slice(start + 1, end === -1 ? undefined : end);
  const parts = query.split("&");
  let changed = false;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const equals = part.indexOf("=");
    const rawName = equals === -1 ? part : part.slice(0, equals);
    let decoded: string;
    try {
      decoded = decodeURIComponent(rawName.replaceAll("+", " "));
    } catch {
      decoded = rawName;
    }
    if (equals !== -1 && isRedactedKey(decoded, o)) {
      parts[i] = `${rawName}=${REDACTED}`;
      changed = true;
    }
  }
  if (!changed) return url;
  return `${url.slice(0, start + 1)}${parts.join("&")}${end === -1 ? "" : url.slice(end)}`;
}

/**
 * `url` with each path segment that holds a route parameter redacted by name
 * (`/reset/:token`) replaced: the value is in the path, not the query.
 * Express's and Fastify's `params` hold the decoded values; a wildcard's
 * (an array in Express 5) covers several segments.
 */
function redactPathParams(url: string, params: unknown, o: ResolvedSerializeOptions): string {
  if (params === null || typeof params !== "object" || o.redactKeyMaxLength < 0) return url;
  const secrets = new Set<string>();
  try {
    for (const name in params) {
      if (!isRedactedKey(name, o)) continue;
      const value = read(params, name);
      if (typeof value === "string" && value !== "") secrets.add(value);
      else if (Array.isArray(value)) for (const item of value) if (typeof item === "string" && item !== "") secrets.add(item);
    }
  } catch {
    // Parameters that cannot be listed cannot be told apart from the path.
    return REDACTED;
  }
  if (secrets.size === 0) return url;
  const end = url.search(/[?#]/);
  const path = end === -1 ? url : url.slice(0, end);
  const segments = path.split("/").map((segment) => (secrets.has(decodedPathSegment(segment)) || secrets.has(segment) ? REDACTED : segment));
  return segments.join("/") + (end === -1 ? "" : url.slice(end));
}

function responseSummary(response: object): JsonValue {
  const summary: { [key: string]: JsonValue } = { type: "HttpResponse" };
  summary.statusCode = read(response, "statusCode") as number;
  const sent = read(response, "headersSent");
  if (typeof sent === "boolean") summary.headersSent = sent;
  return summary;
}
