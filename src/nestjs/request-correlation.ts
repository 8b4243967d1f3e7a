import type { IntentProofClient } from "../core/client.js";
import { correlationFromRequest } from "../core/correlation-header.js";
import { newCorrelationId } from "../core/correlation.js";
import { rawRequest } from "./platform.js";

/**
 * The correlation id a request carries in the client's header (trimmed, at
 * most 128 printable ASCII characters), else a fresh UUID v4 when the client
 * generates missing ids, else `undefined`. Same rules as the Express integration.
 */
export function correlationIdForRequest(client: IntentProofClient, request: unknown): string | undefined {
  const inbound = correlationFromRequest(rawRequest(request), client.config.headerName);
  if (inbound !== undefined) return inbound;
  return client.config.generateOnMissing ? newCorrelationId() : undefined;
}
