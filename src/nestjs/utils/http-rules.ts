// The shared HTTP rules the Nest integration applies (correlation id of an
// inbound request, default inputs, attribute names, the error of a bare 5xx
// or an abandoned request). Re-exported from one place so that the rest of
// src/nestjs does not care where they live.
import type { IncomingMessage } from "node:http";
import { correlationFromRequest } from "../../core/correlation-header.js";
import { newCorrelationId } from "../../core/correlation.js";

export const HTTP_METHOD = "http.method";
export const HTTP_ROUTE = "http.route";
export const HTTP_STATUS_CODE = "http.status_code";
export const HTTP_CLIENT_ABORTED = "http.client_aborted";

/** The inbound id in `headerName` (trimmed, at most 128 printable ASCII characters), else a fresh UUID v4 when `generateOnMissing`. */
export function inboundCorrelationId(request: IncomingMessage | undefined, headerName: string, generateOnMissing: boolean): string | undefined {
  let inbound: string | undefined;
  try {
    if (request?.headers?.[headerName] !== undefined) inbound = correlationFromRequest(request, headerName);
  } catch {
    // A hostile getter on the request counts as no header.
  }
  if (inbound !== undefined) return inbound;
  return generateOnMissing ? newCorrelationId() : undefined;
}

function isEmptyRequestPart(value: unknown): boolean {
  if (value === undefined || value === null || value === "") return true;
  if (typeof value !== "object") return false;
  if (Array.isArray(value)) return value.length === 0;
  const proto = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && Object.keys(value).length === 0;
}

/** `{ params, query, body }` of a request, empty parts left out. Never throws. */
export function defaultRequestInputs(request: unknown): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  if (request === null || typeof request !== "object") return inputs;
  for (const part of ["params", "query", "body"] as const) {
    let value: unknown;
    try {
      value = (request as Record<string, unknown>)[part];
    } catch {
      continue;
    }
    if (!isEmptyRequestPart(value)) inputs[part] = value;
  }
  return inputs;
}

export function isErrorStatus(status: number): boolean {
  return status >= 500;
}

export function statusError(status: number): { name: string; message: string; code: string } {
  const code = String(status);
  return { name: "HttpError", message: `HTTP ${code}`, code };
}

export function clientAbortedError(): { name: string; message: string } {
  return { name: "ClientAbortedError", message: "the client closed the connection before the response finished" };
}
