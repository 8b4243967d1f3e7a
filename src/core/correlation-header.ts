/** Header carrying the correlation id in and out, unless configured otherwise. */
export const DEFAULT_CORRELATION_HEADER = "x-intentproof-correlation-id";

/** Longest inbound correlation id accepted; longer ones count as missing. */
export const MAX_INBOUND_CORRELATION_LENGTH = 128;

// The spec trims ASCII whitespace only; String#trim would also strip Unicode spaces.
const ASCII_WHITESPACE_EDGES = /^[\t\n\v\f\r ]+|[\t\n\v\f\r ]+$/g;

// Printable ASCII only: an id is echoed into a response header and stored in
// audit records, so control characters and non-ASCII never pass.
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

/**
 * The correlation id carried by an inbound header value, or `undefined` when
 * it is missing or not acceptable (blank after trimming, longer than 128
 * characters, or holding anything but printable ASCII). A header repeated
 * with different values is ambiguous and counts as missing.
 */
export function correlationFromHeader(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    const first = value[0];
    for (let i = 1; i < value.length; i++) if (value[i] !== first) return undefined;
    return correlationFromHeader(first);
  }
  if (typeof value !== "string") return undefined;
  const trimmed = value.replace(ASCII_WHITESPACE_EDGES, "");
  if (trimmed.length === 0 || trimmed.length > MAX_INBOUND_CORRELATION_LENGTH) return undefined;
  return PRINTABLE_ASCII.test(trimmed) ? trimmed : undefined;
}

/** The parts of a Node `IncomingMessage` the header lookup reads. */
export interface RequestHeadersLike {
  headers?: Record<string, unknown>;
  headersDistinct?: Record<string, unknown>;
}

/**
 * The correlation id of a Node request's `headerName` header (lower case).
 * `headers` joins repeated lines with ", ", which would turn two ambiguous ids
 * into one valid-looking id, so a joined value is checked against
 * `headersDistinct`, where the repeats stay apart.
 */
export function correlationFromRequest(request: RequestHeadersLike | undefined, headerName: string): string | undefined {
  if (request === undefined || request === null) return undefined;
  const joined = request.headers?.[headerName];
  if (joined === undefined) return undefined;
  // Node joins a repeated header into "a, b". Only then is `headersDistinct`
  // consulted: its getter builds arrays for every header of the request.
  if (typeof joined === "string" && !joined.includes(",")) return correlationFromHeader(joined);
  const distinct = request.headersDistinct?.[headerName];
  return correlationFromHeader(distinct !== undefined ? distinct : joined);
}
