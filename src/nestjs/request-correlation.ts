import type { IncomingMessage } from "node:http";
import type { IntentProofClient } from "../core/client.js";
import { correlationFromRequest } from "../core/http/correlation-header.js";
import { newCorrelationId } from "../core/correlation.js";
import { rawRequest } from "./platform.js";

/**
 * The correlation id a request carries in the client's header (trimmed, at
 * most 128 printable ASCII characters), else a fresh UUID v4 when the client
 * generates missing ids, else `undefined`. Same rules as the Express
 * integration. `request` is the platform's request (Express's or Fastify's).
 */
export function correlationIdForRequest(client: IntentProofClient, request: unknown): string | undefined {
  return correlationIdForNodeRequest(client, rawRequest(request));
}

/** The same for Node's own request, as middleware receives it. */
export function correlationIdForNodeRequest(client: IntentProofClient, request: IncomingMessage): string | undefined {
  const headerName = client.config.headerName;
  // Most requests carry no id: `headers` is already parsed by then, while
  // reading `headersDistinct` (needed to spot a repeated header) would build
  // an array for every header of the request.
  const headers = request?.headers as Record<string, unknown> | undefined;
  const inbound = headers !== undefined && headers[headerName] === undefined ? undefined : correlationFromRequest(request, headerName);
  if (inbound !== undefined) return inbound;
  return client.config.generateOnMissing ? newCorrelationId() : undefined;
}
