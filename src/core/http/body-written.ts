import type { ServerResponse } from "node:http";

/** Told how a response's body goes out: whole, in one `end(chunk)`, or in pieces. */
export interface BodyWrittenListener {
  /**
   * `end` was called first with this chunk (`undefined`: no body), with the
   * content type and content encoding the response had then.
   */
  recordBodyEnded(chunk: unknown, contentType: unknown, contentEncoding: unknown): void;
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
      listener.recordBodyEnded(typeof chunk === "function" ? undefined : chunk, this.getHeader("content-type"), this.getHeader("content-encoding"));
    }
    return Reflect.apply(end, this, arguments) as ServerResponse;
  } as ServerResponse["end"];
}

/**
 * The value a body sent whole stands for: JSON parsed back (up to
 * `maxStringLength` characters; longer, or labelled JSON but not JSON, the
 * text as sent), text as a string, other bytes as bytes, `null` for an empty
 * body. A compressed body (gzip, deflate, br) is decompressed first, up to
 * a bound; `undefined` when it cannot be (another encoding, a bomb, corrupt
 * bytes): the caller then has no value for it.
 */
export function sentBodyValue(chunk: unknown, contentType: unknown, contentEncoding: unknown, maxStringLength: number): unknown {
  if (chunk === undefined || chunk === null) return null;
  const isText = typeof chunk === "string";
  if (!isText && !(chunk instanceof Uint8Array)) return chunk;
  if (chunk.length === 0) return null;
  let bytes: Uint8Array | undefined = isText ? undefined : chunk;
  if (isEncodedBody(contentEncoding)) {
    bytes = decompressed(isText ? Buffer.from(chunk, "latin1") : chunk, String(contentEncoding), maxStringLength);
    if (bytes === undefined) return undefined;
  }
  const type = typeof contentType === "string" ? contentType : "";
  const json = JSON_MEDIA_TYPE.test(type);
  if (bytes !== undefined && !json && !TEXT_MEDIA_TYPE.test(type)) return bytes;
  const text = bytes === undefined ? (chunk as string) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  return json ? parsedJsonText(text, maxStringLength) : text;
}

/** A body compressed with `encoding`, decompressed to at most 4 × `maxStringLength` bytes; `undefined` when it cannot be. */
function decompressed(bytes: Uint8Array, encoding: string, maxStringLength: number): Buffer | undefined {
  const zlib = process.getBuiltinModule("node:zlib");
  const bound = { maxOutputLength: Math.max(4 * maxStringLength, 1024) };
  try {
    switch (encoding.trim().toLowerCase()) {
      case "gzip":
      case "x-gzip":
        return zlib.gunzipSync(bytes, bound);
      case "deflate":
        return zlib.inflateSync(bytes, bound);
      case "br":
        return zlib.brotliDecompressSync(bytes, bound);
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
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

/** Whether a body was sent compressed (gzip, br, …): its bytes are not the value. */
export function isEncodedBody(contentEncoding: unknown): boolean {
  return contentEncoding !== undefined && !(typeof contentEncoding === "string" && /^\s*identity\s*$/i.test(contentEncoding));
}

/** Whether `contentType` labels JSON. */
export function isJsonMediaType(contentType: unknown): boolean {
  return typeof contentType === "string" && JSON_MEDIA_TYPE.test(contentType);
}
