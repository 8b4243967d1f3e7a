import type { ServerResponse } from "node:http";

const JSON_MEDIA_TYPE = /\bjson\b/i;
// Text the client decodes as text: text/*, XML, JavaScript, or any type that names its charset.
const TEXT_MEDIA_TYPE = /^\s*text\/|[/+]xml\b|\bjavascript\b|\becmascript\b|;\s*charset=/i;
const EVENT_STREAM = /^\s*text\/event-stream\b/i;
const FORM_MEDIA_TYPE = /^\s*application\/x-www-form-urlencoded\b/i;
const CHARSET = /;\s*charset="?([^";\s]+)/i;

/**
 * The body of one response as Node writes it, after every serializer (a
 * platform's JSON replacer, a Fastify response schema, an interceptor, a
 * compression stream) has had its say: what the client receives. A body
 * sent whole (one `end(chunk)`) is kept by reference; one written in pieces
 * is kept up to `maxBytes`, then dropped.
 */
export class SentBody {
  private chunks: Buffer[] | undefined;
  private whole: unknown;
  private wholeEncoding: string | undefined;
  private bytes = 0;
  private overflowed = false;
  private ended = false;
  private contentType: unknown;
  private contentEncoding: unknown;
  /** Given to `writeHead` only (Fastify passes every header there): `getHeader` does not see them. */
  private headContentType: unknown;
  private headContentEncoding: unknown;

  constructor(private readonly maxBytes: number) {}

  /** The headers argument of a `writeHead`: an object, or a flat `[name, value, …]` array. */
  head(headers: unknown): void {
    if (headers === null || typeof headers !== "object") return;
    if (Array.isArray(headers)) {
      for (let i = 0; i + 1 < headers.length; i += 2) this.headHeader(headers[i], headers[i + 1]);
    } else {
      for (const name of Object.keys(headers)) this.headHeader(name, (headers as Record<string, unknown>)[name]);
    }
  }

  private headHeader(name: unknown, value: unknown): void {
    if (typeof name !== "string") return;
    const lower = name.toLowerCase();
    if (lower === "content-type") this.headContentType = value;
    else if (lower === "content-encoding") this.headContentEncoding = value;
  }

  /** A `write(chunk, encoding)`. */
  piece(chunk: unknown, encoding: unknown): void {
    if (this.ended || this.overflowed) return;
    const bytes = asBytes(chunk, encoding);
    if (bytes === undefined) return;
    this.bytes += bytes.length;
    if (this.bytes > this.maxBytes) {
      this.overflowed = true;
      this.chunks = undefined;
      return;
    }
    (this.chunks ??= []).push(bytes);
  }

  /** An `end(chunk, encoding)`, with the headers the response had then. */
  end(chunk: unknown, encoding: unknown, contentType: unknown, contentEncoding: unknown): void {
    if (this.ended) return;
    if (this.chunks === undefined && !this.overflowed) {
      this.whole = chunk;
      this.wholeEncoding = typeof encoding === "string" ? encoding : undefined;
    } else {
      this.piece(chunk, encoding);
    }
    this.ended = true;
    this.contentType = contentType ?? this.headContentType;
    this.contentEncoding = contentEncoding ?? this.headContentEncoding;
  }

  /** Whether the body went out as server-sent events (a stream of its own kind). */
  get isEventStream(): boolean {
    return typeof this.contentType === "string" && EVENT_STREAM.test(this.contentType);
  }

  /**
   * The value the body stands for: JSON parsed back (see
   * `textBodyValue`), text as a string decoded with its charset, other
   * bytes as a Buffer, `null` for an empty body; a gzip, deflate, br or zstd
   * body decompressed first, within `maxBytes`. Written in pieces, only
   * JSON is read. `undefined` when it cannot tell: not ended, too long, a
   * file or text streamed in pieces, server-sent events, an encoding or
   * charset it cannot decode.
   */
  value(maxStringLength: number): unknown {
    if (!this.ended || this.overflowed || this.isEventStream) return undefined;
    let bytes: Buffer | undefined;
    if (this.chunks !== undefined) {
      bytes = Buffer.concat(this.chunks);
    } else if (this.whole === undefined || this.whole === null || typeof this.whole === "function") {
      return null;
    } else if (typeof this.whole === "string" && (this.wholeEncoding === undefined || /^utf-?8$/i.test(this.wholeEncoding))) {
      if (this.whole.length === 0) return null;
      if (!isEncodedBody(this.contentEncoding)) return textBodyValue(this.whole, this.contentType, maxStringLength);
      bytes = Buffer.from(this.whole, "latin1");
    } else {
      bytes = asBytes(this.whole, this.wholeEncoding);
      if (bytes === undefined) return undefined;
    }
    if (bytes.length === 0) return null;
    if (isEncodedBody(this.contentEncoding)) {
      bytes = decompressed(bytes, String(this.contentEncoding), this.maxBytes);
      if (bytes === undefined) return undefined;
    }
    // A file or text streamed in pieces is not copied into the record (JSON
    // is: a compressed or hand-written JSON answer); bytes sent whole are
    // (recorded as "base64:…").
    if (this.chunks !== undefined && !isJsonMediaType(this.contentType)) return undefined;
    return bytesValue(bytes, this.contentType, maxStringLength);
  }
}

/**
 * A whole body's bytes as the value they stand for: under a JSON or text
 * type, decoded with its charset, the value the text stands for (see
 * {@link textBodyValue}), other bytes as they are (a Buffer); `null` when
 * empty; `undefined` for a charset this runtime cannot decode.
 */
export function bytesValue(bytes: ArrayBufferView, contentType: unknown, maxStringLength: number): unknown {
  if (bytes.byteLength === 0) return null;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = typeof contentType === "string" ? contentType : "";
  if (!JSON_MEDIA_TYPE.test(type) && !TEXT_MEDIA_TYPE.test(type) && !FORM_MEDIA_TYPE.test(type)) return buffer;
  const text = decodedText(buffer, type);
  return text === undefined ? undefined : textBodyValue(text, type, maxStringLength);
}

/**
 * Hands `body` what this response writes: wraps this response's own
 * `writeHead` (for the headers given only there), `write` and `end`,
 * nothing shared.
 */
export function noteBodyWritten(response: ServerResponse, body: SentBody): void {
  const { writeHead, write, end } = response;
  response.writeHead = function (this: ServerResponse, _status?: unknown, reason?: unknown, headers?: unknown) {
    try {
      body.head(typeof reason === "string" ? headers : reason);
    } catch {
      // A headers object whose getters throw: Node's writeHead reports it to the caller, not this.
    }
    return Reflect.apply(writeHead, this, arguments) as ServerResponse;
  } as ServerResponse["writeHead"];
  response.write = function (this: ServerResponse, chunk?: unknown, encoding?: unknown) {
    body.piece(chunk, encoding);
    return Reflect.apply(write, this, arguments) as boolean;
  } as ServerResponse["write"];
  response.end = function (this: ServerResponse, chunk?: unknown, encoding?: unknown) {
    body.end(typeof chunk === "function" ? undefined : chunk, encoding, this.getHeader("content-type"), this.getHeader("content-encoding"));
    return Reflect.apply(end, this, arguments) as ServerResponse;
  } as ServerResponse["end"];
}

function asBytes(chunk: unknown, encoding: unknown): Buffer | undefined {
  if (typeof chunk === "string") return Buffer.from(chunk, Buffer.isEncoding(encoding as string) ? (encoding as BufferEncoding) : "utf8");
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return undefined;
}

/**
 * A text body as the value it stands for: labelled JSON, the value it
 * encodes (see {@link parsedJsonText}); a URL-encoded form, its fields
 * (`{ name: value }`, a repeated name's values in an array: a webhook kept
 * raw for its signature); under another label, a JSON object or array is
 * that structure too (`res.type("html").json(…)`, a proxied answer labelled
 * text/plain), so `redactKeys` reach it whatever the label says, and other
 * text is the text. Unlabelled text that starts like JSON but is longer
 * than {@link readBackLimit} is {@link UNRECORDED_BODY}: it cannot be told
 * apart from JSON without reading it.
 */
export function textBodyValue(text: string, contentType: unknown, maxStringLength: number): unknown {
  if (isJsonMediaType(contentType)) return parsedJsonText(text, maxStringLength);
  if (typeof contentType === "string" && FORM_MEDIA_TYPE.test(contentType)) {
    return text.length > readBackLimit(maxStringLength) ? UNRECORDED_BODY : formFields(text);
  }
  if (!STARTS_LIKE_JSON_STRUCTURE.test(text)) return text;
  if (text.length > readBackLimit(maxStringLength)) return UNRECORDED_BODY;
  try {
    const value = parsedJson(text);
    return value !== null && typeof value === "object" ? value : text;
  } catch {
    return text;
  }
}

function formFields(text: string): Record<string, string | string[]> {
  const fields = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(text)) {
    const values = fields.get(name);
    if (values === undefined) fields.set(name, [value]);
    else values.push(value);
  }
  // fromEntries defines own properties: a field named __proto__ stays a field.
  return Object.fromEntries(Array.from(fields, ([name, values]) => [name, values.length === 1 ? values[0]! : values]));
}

// A byte order mark, JSON's whitespace, then the start of an object or array.
const STARTS_LIKE_JSON_STRUCTURE = /^\uFEFF?[ \t\n\r]*[[{]/;

/** Bytes decoded with the content type's charset (UTF-8 by default); `undefined` for a charset this runtime cannot decode. */
function decodedText(bytes: Buffer, contentType: string): string | undefined {
  const charset = CHARSET.exec(contentType)?.[1];
  if (charset === undefined || /^utf-?8$/i.test(charset)) return bytes.toString("utf8");
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return undefined;
  }
}

/** A compressed body, decompressed to at most `maxBytes`; `undefined` when it cannot be. */
function decompressed(bytes: Uint8Array, encoding: string, maxBytes: number): Buffer | undefined {
  const zlib = process.getBuiltinModule("node:zlib");
  const bound = { maxOutputLength: maxBytes };
  try {
    switch (encoding.trim().toLowerCase()) {
      case "gzip":
      case "x-gzip":
        return zlib.gunzipSync(bytes, bound);
      case "deflate":
        return zlib.inflateSync(bytes, bound);
      case "br":
        return zlib.brotliDecompressSync(bytes, bound);
      case "zstd": {
        // node:zlib has zstd from Node 22.15.
        const zstd = (zlib as { zstdDecompressSync?: (b: Uint8Array, o: object) => Buffer }).zstdDecompressSync;
        return zstd === undefined ? undefined : zstd(bytes, bound);
      }
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

/** A body that was sent but cannot be read back into the record. */
export const UNRECORDED_BODY = "[Body:unrecorded]";

/** How much of a body is read back (decompressed, parsed): about what a record with these limits can hold of it. */
export function readBackLimit(maxStringLength: number): number {
  return 4 * maxStringLength;
}

/**
 * A JSON text as the value it encodes, so that the serializer's limits and
 * `redactKeys` apply to it (a leading byte order mark is skipped, as JSON
 * body parsers do; an integer past 2^53 is its digits, see `parsedJson`).
 * Longer than {@link readBackLimit}, or labelled JSON but not JSON:
 * {@link UNRECORDED_BODY}, never the text, whose secrets redaction could
 * not reach.
 */
export function parsedJsonText(text: string, maxStringLength: number): unknown {
  if (text.length > readBackLimit(maxStringLength)) return UNRECORDED_BODY;
  try {
    return parsedJson(text);
  } catch {
    return UNRECORDED_BODY;
  }
}

const BYTE_ORDER_MARK = 0xfeff;

/**
 * `JSON.parse`, a leading byte order mark skipped. An integer past 2^53
 * would come back as another number (a 19-digit order id recorded as one
 * the client never got): where the runtime shows a value's source text
 * (Node 22 and later), such an integer is kept as its digits, a string.
 */
function parsedJson(text: string): unknown {
  const source = text.charCodeAt(0) === BYTE_ORDER_MARK ? text.slice(1) : text;
  return LONG_DIGIT_RUN.test(source) ? JSON.parse(source, keepLongIntegers as Reviver) : JSON.parse(source);
}

type Reviver = (this: unknown, key: string, value: unknown) => unknown;
// Integers of 16 digits or more may be past 2^53; shorter ones never are.
const LONG_DIGIT_RUN = /\d{16}/;
const INTEGER_TEXT = /^-?\d+$/;

function keepLongIntegers(_key: string, value: unknown, context?: { source?: unknown }): unknown {
  if (typeof value !== "number" || Number.isSafeInteger(value)) return value;
  const source = context?.source;
  return typeof source === "string" && INTEGER_TEXT.test(source) ? source : value;
}

/** Whether a body was sent compressed (gzip, br, …): its bytes are not the value. */
function isEncodedBody(contentEncoding: unknown): boolean {
  return contentEncoding !== undefined && !(typeof contentEncoding === "string" && /^\s*identity\s*$/i.test(contentEncoding));
}

/** Whether `contentType` labels JSON. */
export function isJsonMediaType(contentType: unknown): boolean {
  return typeof contentType === "string" && JSON_MEDIA_TYPE.test(contentType);
}
