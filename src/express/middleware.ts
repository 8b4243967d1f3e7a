import type { NextFunction, Request, RequestHandler, Response } from "express";
import { correlationFromRequest } from "../core/correlation-header.js";
import { newCorrelationId, runInScope } from "../core/correlation.js";
import { client as defaultClient } from "../core/default-client.js";
import { resolveMiddlewareOptions, type IntentProofMiddlewareOptions } from "./options.js";

// The id a first intentproof() gave this request, so a second mount (app and
// router both) keeps it instead of generating another one.
// A WeakMap rather than a property: adding a key to every request would give
// Express's request objects a new shape and slow every later access to them.
const requestCorrelation = new WeakMap<Request, string>();

/**
 * Builds the correlation middleware. Options are validated here (TypeError
 * naming the field); per request it only reads one header, maybe generates a
 * UUID, sets the response header and enters the async scope.
 */
export function intentproof(options?: IntentProofMiddlewareOptions): RequestHandler {
  const settings = resolveMiddlewareOptions(options);
  const client = settings.client ?? defaultClient;

  return function intentproofCorrelation(req: Request, res: Response, next: NextFunction): void {
    let correlationId: string | undefined;
    try {
      // Read per request: configure() may change the client's defaults at any time.
      const config = client.config;
      const headerName = settings.headerName ?? config.headerName;
      correlationId = requestCorrelation.get(req) ?? correlationFromRequest(req, headerName);
      if (correlationId === undefined && (settings.generateOnMissing ?? config.generateOnMissing)) {
        correlationId = newCorrelationId();
      }
      if (correlationId !== undefined) {
        requestCorrelation.set(req, correlationId);
        // Set now, before any handler runs, so error responses and 404s carry it too.
        if (settings.echoHeader && !res.headersSent) res.setHeader(headerName, correlationId);
      }
    } catch (error) {
      // Telemetry must never fail the request; it goes on with whatever id we have.
      client.reportInternalError(error);
    }
    // The client rides in the scope so recordRoute records through this middleware's client.
    runInScope({ correlationId, client }, next as () => void);
  };
}
