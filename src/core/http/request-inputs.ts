import { bytesValue, textBodyValue, UNRECORDED_BODY } from "./body-written.js";

/**
 * Whether a part of a request carries nothing worth recording. One rule for
 * every adapter: `undefined`, `null`, the empty string (a body parser's
 * "no body"), an empty array or byte view, and a plain or dictionary
 * object without own keys. Class instances always count, even without keys:
 * their type says something.
 */
export function isEmptyRequestPart(value: unknown): boolean {
  if (value === undefined || value === null || value === "") return true;
  if (typeof value !== "object") return false;
  if (Array.isArray(value)) return value.length === 0;
  if (ArrayBuffer.isView(value)) return value.byteLength === 0;
  return isDictionary(value) && !hasOwnEnumerableKey(value);
}

/**
 * A plain object, a null-prototype one, or one whose prototype is a bare
 * null-prototype object (Fastify's route params are built that way).
 */
function isDictionary(value: object): boolean {
  const proto: object | null = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return true;
  return Object.getPrototypeOf(proto) === null && !Object.hasOwn(proto, "constructor");
}

/** `Object.keys(value).length !== 0` without building the array of keys (runs for every recorded request). */
function hasOwnEnumerableKey(value: object): boolean {
  for (const key in value) if (Object.hasOwn(value, key)) return true;
  return false;
}

function requestContentType(request: object): unknown {
  try {
    return (request as { headers?: Record<string, unknown> }).headers?.["content-type"];
  } catch {
    return undefined;
  }
}

/** A body a parser kept as bytes or text, as the value it stands for (see `bytesValue`, `textBodyValue`). */
function rawBodyValue(request: object, body: ArrayBufferView | string, maxStringLength: number): unknown {
  const contentType = requestContentType(request);
  if (typeof body === "string") return textBodyValue(body, contentType, maxStringLength);
  return bytesValue(body, contentType, maxStringLength) ?? UNRECORDED_BODY;
}

/** The request fields recorded by default, in this order. */
export const REQUEST_INPUT_PARTS = ["params", "query", "body"] as const;

/**
 * The default `inputs` of a recorded HTTP handler: `{ params, query, body }`
 * of the request, the empty ones (see {@link isEmptyRequestPart}) left out.
 * A body kept as bytes or text (Express's `raw()` or `text()` parser, for a
 * webhook's signature) is the value it stands for under the request's
 * content type, so `redactKeys` reach into its JSON (see `bytesValue`,
 * `textBodyValue`). A throwing getter (a
 * custom query parser) leaves its part out; never throws.
 */
export function defaultRequestInputs(request: unknown, maxStringLength: number): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  if (request === null || typeof request !== "object") return inputs;
  for (const part of REQUEST_INPUT_PARTS) {
    if (part === "query" && hasNoQueryString(request)) continue;
    let value: unknown;
    try {
      value = (request as Record<string, unknown>)[part];
    } catch {
      continue;
    }
    if (isEmptyRequestPart(value)) continue;
    inputs[part] = part === "body" && (typeof value === "string" || ArrayBuffer.isView(value)) ? rawBodyValue(request, value, maxStringLength) : value;
  }
  return inputs;
}

/**
 * A request whose URL has no query string has an empty query, unless
 * something set `query` on the request itself. Checked before reading
 * `query`: Express 5 computes it on every read, parsing the URL again
 * (about a microsecond a recorded request).
 */
function hasNoQueryString(request: object): boolean {
  const url = (request as { url?: unknown }).url;
  return typeof url === "string" && !url.includes("?") && !Object.hasOwn(request, "query");
}
