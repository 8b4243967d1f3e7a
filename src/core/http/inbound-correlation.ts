import { newCorrelationId } from "../correlation.js";
import { correlationFromRequest, type RequestHeadersLike } from "./correlation-header.js";

/**
 * The correlation id of an inbound request: the one its `headerName` header
 * carries (see `correlationFromHeader` for what is accepted), else a fresh
 * UUID v4 when `generateOnMissing`, else `undefined`. Never throws.
 */
export function inboundCorrelationId(
  request: RequestHeadersLike | undefined,
  headerName: string,
  generateOnMissing: boolean,
): string | undefined {
  let inbound: string | undefined;
  try {
    // Most requests carry no id; `headers` is parsed already, so this costs one lookup.
    if (request?.headers?.[headerName] !== undefined) inbound = correlationFromRequest(request, headerName);
  } catch {
    // A hostile getter on the request: treated as no header.
  }
  if (inbound !== undefined) return inbound;
  return generateOnMissing ? newCorrelationId() : undefined;
}
