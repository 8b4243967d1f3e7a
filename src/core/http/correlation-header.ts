import { acceptedCorrelationId, MAX_CORRELATION_ID_LENGTH } from "../correlation.js";

/** Header carrying the correlation id in and out, unless configured otherwise. */
export const DEFAULT_CORRELATION_HEADER = "x-intentproof-correlation-id";

/** Longest inbound correlation id accepted (the spec's limit); longer ones count as missing. */
export const MAX_INBOUND_CORRELATION_LENGTH = MAX_CORRELATION_ID_LENGTH;

/**
 * Longest raw header value even looked at: the id plus a little surrounding
 * whitespace. The header is attacker-controlled, so anything longer is
 * refused before a single character is examined, and the cost of a header
 * never grows with its size.
 */
export const MAX_INBOUND_HEADER_LENGTH = MAX_INBOUND_CORRELATION_LENGTH + 32;

/**
 * Most copies of a repeated correlation header looked at (they must all
 * agree). Node joins the copies into one value ("a, b"), so a joined value
 * longer than this many copies of the longest acceptable one, with their
 * separators, is refused unread.
 */
export const MAX_INBOUND_HEADER_COPIES = 8;
const MAX_INBOUND_JOINED_LENGTH = MAX_INBOUND_HEADER_COPIES * (MAX_INBOUND_HEADER_LENGTH + 2);

/**
 * The correlation id carried by an inbound header value, or `undefined` when
 * it is missing or not acceptable: longer than {@link MAX_INBOUND_HEADER_LENGTH}
 * as received, blank after trimming ASCII whitespace, longer than 128
 * characters after trimming, or holding anything but printable ASCII (an id is
 * echoed into a response header and stored in audit records, so control
 * characters and non-ASCII never pass). A header repeated with different
 * values is ambiguous and counts as missing; repeated with the same value
 * (at most {@link MAX_INBOUND_HEADER_COPIES} times), it is that value.
 *
 * Index loops only, no regular expression: the cost is linear in at most
 * {@link MAX_INBOUND_HEADER_LENGTH} characters per copy whatever the client sends.
 */
export function correlationFromHeader(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    if (value.length === 0 || value.length > MAX_INBOUND_HEADER_COPIES) return undefined;
    const first = value[0];
    // Checked before the copies are compared, so a comparison reads at most that many characters.
    if (typeof first !== "string" || first.length > MAX_INBOUND_HEADER_LENGTH) return undefined;
    for (let i = 1; i < value.length; i++) if (value[i] !== first) return undefined;
    return correlationFromHeader(first);
  }
  if (typeof value !== "string" || value.length > MAX_INBOUND_HEADER_LENGTH) return undefined;
  // The same rule as ids set in code (core/correlation.ts), so the two cannot drift.
  return acceptedCorrelationId(value);
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
  if (typeof joined === "string") {
    // Too long even for a few agreeing copies of an id: refused before anything else is read.
    if (joined.length > MAX_INBOUND_JOINED_LENGTH) return undefined;
    // Node joins a repeated header into "a, b". Only then is `headersDistinct`
    // consulted: its getter builds arrays for every header of the request.
    if (!joined.includes(",")) return correlationFromHeader(joined);
  }
  const distinct = request.headersDistinct?.[headerName];
  return correlationFromHeader(distinct !== undefined ? distinct : joined);
}
