import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { IntentProofClient } from "../core/client.js";
import { client as defaultClient } from "../core/default-client.js";
import { callRecorded } from "../core/execution.js";
import { requestClient } from "../core/http/request-client.js";
import { warnRouteWithoutMiddleware } from "./client-pairing.js";
import { prepareRecordRoute, type RecordRouteOptions } from "./options.js";
import { RouteRecording } from "./route-recording.js";

/** Options first, then the client of the intentproof() middleware that handled the request, then the singleton. */
function clientForRequest(pinned: IntentProofClient | undefined): IntentProofClient {
  if (pinned !== undefined) return pinned;
  const bound = requestClient();
  if (bound !== undefined) return bound;
  warnRouteWithoutMiddleware();
  return defaultClient;
}

/** Express's next() treats these as routing signals, not errors. */
function isRoutingError(err: unknown): boolean {
  return Boolean(err) && err !== "route" && err !== "router";
}

/**
 * Wraps one route handler (or middleware) so each request it handles records
 * one event. Options and handler are validated here (TypeError naming the
 * field); an error handler `(err, req, res, next)` is refused.
 */
export function recordRoute<H extends RequestHandler<any, any, any, any, any>>(options: RecordRouteOptions, handler: H): H;
export function recordRoute(options: RecordRouteOptions, handler: RequestHandler): RequestHandler {
  const { client: pinned, plan } = prepareRecordRoute(options);
  if (typeof handler !== "function") {
    throw new TypeError('intentproof/express: recordRoute(options, handler): "handler" must be a function');
  }
  // Express tells an error handler by its 4 parameters; the recorded function
  // has 3, so Express would call it for every request instead of for errors.
  if (handler.length > 3) {
    throw new TypeError(
      `intentproof/express: recordRoute(options, handler): "handler" takes ${handler.length} parameters, like an error ` +
        "handler (err, req, res, next); recordRoute records route handlers and middleware (req, res, next), not error handlers",
    );
  }

  const recorded = function (this: unknown, req: Request, res: Response, next: NextFunction): void {
    let recording: RouteRecording | undefined;
    const trackedNext: NextFunction = (err?: unknown) => {
      if (isRoutingError(err)) recording?.noteError(err);
      // Passed on: the layers after this one get the router's own next again.
      if (req.next === trackedNext) req.next = next;
      next(err as Parameters<NextFunction>[0]);
    };
    const args = [req, res, trackedNext];
    recording = RouteRecording.start(clientForRequest(pinned), plan, req, res, next, args, recorded);
    if (recording === undefined) {
      // Telemetry failed to start: behave exactly like the bare handler.
      return Reflect.apply(handler, this, [req, res, next]) as void;
    }
    // Express's res.sendFile, res.download and res.render pass their errors to req.next, not to the handler's next.
    req.next = trackedNext;
    // The core's call step: a sync throw is settled and rethrown (Express
    // passes it to next), a promise is followed and settles the recording,
    // which passes a rejection to next itself. The promise is not handed
    // back: Express 5 would forward its rejection a second time.
    try {
      callRecorded(recording.execution, handler, this, args, recording);
    } finally {
      recording.calling = false;
    }
  };
  // Express shows a layer's function name in its debug output.
  Object.defineProperty(recorded, "name", { value: handler.name || "recordedRoute", configurable: true });
  return recorded;
}
