import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { IntentProofClient } from "../core/client.js";
import { currentScope, runInScope, type CorrelationScope } from "../core/correlation.js";
import { client as defaultClient } from "../core/default-client.js";
import { inboundCorrelationId } from "../core/http/inbound-correlation.js";
import { warnIfDefaultClientUnconfigured } from "./client-pairing.js";
import { resolveMiddlewareOptions, type IntentProofMiddlewareOptions, type MiddlewareSettings } from "./options.js";
import { bindRequestScope, continueInRequestScope, scopeOfRequest } from "./request-scope.js";

/** Looks like the `(req, res, next)` Express passes a middleware. */
function isMiddlewareCall(first: unknown, next: unknown): boolean {
  return typeof next === "function" && first !== null && typeof first === "object" && "headers" in first && "method" in first;
}

let bareMountMiddleware: RequestHandler | undefined;

/**
 * Builds the correlation middleware. Options are validated here (TypeError
 * naming the field); per request it only reads one header, maybe generates a
 * UUID, sets the response header and enters the async scope.
 *
 * `app.use(intentproof)` (without the call) works too: Express then calls
 * this function with `(req, res, next)`, which is served as `intentproof()`.
 */
export function intentproof(options?: IntentProofMiddlewareOptions): RequestHandler {
  if (isMiddlewareCall(options, arguments[2])) {
    bareMountMiddleware ??= correlationMiddleware(resolveMiddlewareOptions(undefined));
    return Reflect.apply(bareMountMiddleware, undefined, arguments) as RequestHandler;
  }
  return correlationMiddleware(resolveMiddlewareOptions(options));
}

function correlationMiddleware(settings: MiddlewareSettings): RequestHandler {
  const client = settings.client ?? defaultClient;
  let checkedPairing = settings.client !== undefined;

  return function intentproofCorrelation(req: Request, res: Response, next: NextFunction): void {
    if (!checkedPairing) {
      checkedPairing = true;
      warnIfDefaultClientUnconfigured();
    }
    // A second mount (app and router both) keeps the first one's id; it runs
    // inside the first one's scope. A first mount usually runs in no scope and
    // skips the lookup: a symbol missing from a request is searched through
    // Express's whole prototype chain, which cost more than the rest of the middleware.
    const outer = currentScope() === undefined ? undefined : scopeOfRequest(req);
    // The client rides in the scope so recordRoute records through this middleware's client.
    if (outer !== undefined && outer.client === client) runInScope(outer, next as () => void);
    else runInScope(enterRequest(req, res, client, settings, outer), continueInRequestScope, req, next as () => void);
  };
}

function enterRequest(
  req: Request,
  res: Response,
  client: IntentProofClient,
  settings: MiddlewareSettings,
  outer: CorrelationScope | undefined,
): CorrelationScope {
  let correlationId = outer?.correlationId;
  try {
    // Read per request: configure() may change the client's defaults at any time.
    const config = client.config;
    const headerName = settings.headerName ?? config.headerName;
    correlationId ??= inboundCorrelationId(req, headerName, settings.generateOnMissing ?? config.generateOnMissing);
    // Set now, before any handler runs, so error responses and 404s carry it too.
    if (correlationId !== undefined && settings.echoHeader && !res.headersSent) res.setHeader(headerName, correlationId);
  } catch (error) {
    // Telemetry must never fail the request; it goes on with whatever id we have.
    client.reportInternalError(error);
  }
  const scope: CorrelationScope = { correlationId, attributes: undefined, client, requestSlot: undefined };
  try {
    bindRequestScope(req, res, scope, outer === undefined);
  } catch (error) {
    client.reportInternalError(error);
  }
  return scope;
}
