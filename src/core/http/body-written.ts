import type { ServerResponse } from "node:http";

/** Told how a response's body goes out: whole, in one `end(chunk)`, or in pieces. */
export interface BodyWrittenListener {
  /** `end` was called first with this chunk (`undefined`: no body), and the content type the response had then. */
  recordBodyEnded(chunk: unknown, contentType: unknown): void;
  /** `write` was called before `end`: a streamed body, not kept. */
  recordBodyInPieces(): void;
}

const JSON_MEDIA_TYPE = /\bjson\b/i;
const TEXT_MEDIA_TYPE = /^\s*text\//i;

/**
 * Hands `listener` the body of this response as Node writes it, after every
 * serializer (a platform's JSON replacer, a Fastify response schema, an
 * interceptor) has had its say: what the client receives. Wraps this
 * response's own `write` and `end`, nothing shared.
 */
export function noteBodyWritten(response: ServerResponse, listener: BodyWrittenListener): void {
  const { write, end } = response;
  let settled = false;
  response.write = function (this: ServerResponse) {
    if (!settled) {
      settled = true;
      listener.recordBodyInPieces();
    }
    return Reflect.apply(write, this, arguments) as boolean;
  } as ServerResponse["write"];
  response.end = function (this: ServerResponse, chunk?: unknown) {
    if (!settled) {
      settled = true;
      listener.recordBodyEnded(typeof chunk === "function" ? undefined : chunk, this.getHeader("content-type"));
    }
    return Reflect.apply(end, this, arguments) as ServerResponse;
  } as ServerResponse["end"];
}

/**
 * The value a body sent whole stands for: JSON parsed back (up to
 * `maxStringLength` characters; longer, or labelled JSON but not JSON, the
 * text as sent), text as a string, other bytes as bytes, `null` for an empty
 * body.
 */
export function sentBodyValue(chunk: unknown, contentType: unknown, maxStringLength: number): unknown {
  if (chunk === undefined || chunk === null) return null;
  const isText = typeof chunk === "string";
  if (!isText && !(chunk instanceof Uint8Array)) return chunk;
  if (chunk.length === 0) return null;
  const type = typeof contentType === "string" ? contentType : "";
  const json = JSON_MEDIA_TYPE.test(type);
  if (!isText && !json && !TEXT_MEDIA_TYPE.test(type)) return chunk;
  const text = isText ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString("utf8");
  return json ? parsedJsonText(text, maxStringLength) : text;
}

/** A JSON text as the value it encodes, unless it is longer than `maxStringLength` or not JSON: then the text. */
export function parsedJsonText(text: string, maxStringLength: number): unknown {
  if (text.length > maxStringLength) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Whether `contentType` labels JSON. */
export function isJsonMediaType(contentType: unknown): boolean {
  return typeof contentType === "string" && JSON_MEDIA_TYPE.test(contentType);
}
