// The one place where IntentProof reaches into Nest's internals.
//
// Nest gives no documented way to observe an exception without taking over
// its handling: exception filters are exclusive (the first match answers the
// request), and a global guard refusing a request runs before any enhancer a
// route can add. To keep a refusal's exception class and to know the real
// outcome of every request to a decorated handler, IntentProof wraps the
// function Nest builds for each route, `RouterExecutionContext.create`, as
// OpenTelemetry's Nest instrumentation does. Supported and tested: Nest 11
// and Nest 12 (`create(instance, callback, ...)` returning
// `async (req, res, next)`). Routes whose handler is not decorated keep
// Nest's own function: they pay nothing.
import { RouterExecutionContext } from "@nestjs/core/router/router-execution-context.js";
import { currentScope, RequestSlot, runInScope, type CorrelationScope } from "../../core/correlation.js";
import { inboundCorrelationId } from "../../core/http/index.js";
import { currentClient } from "../utils/client-registry.js";
import { rawRequest, rawResponse } from "../utils/platform.js";
import { siteOfHandler, type DecoratedSite } from "./decorated-site.js";
import { RouteRecording } from "./route-recording.js";

type RouteEntry = (request: unknown, response: unknown, next: unknown) => Promise<unknown>;
type CreateRoute = (this: unknown, instance: unknown, callback: unknown, ...rest: unknown[]) => RouteEntry;

const WRAPPED = Symbol.for("intentproof:nestjs:route-entry");

/**
 * Installs the route wrapper once per copy of `@nestjs/core`. Called when an
 * IntentProofModule's providers are created, which Nest does before it
 * registers any route. Returns false when this Nest has no such entry (an
 * unsupported version): decorated handlers are then recorded as plain
 * method calls, without the response's outcome.
 */
export function installRouteRecording(): boolean {
  const prototype = RouterExecutionContext?.prototype as unknown as Record<PropertyKey, unknown> | undefined;
  const create = prototype?.create;
  if (typeof create !== "function") return false;
  if (prototype![WRAPPED] === true) return true;
  prototype!.create = function createRoute(this: unknown, instance: unknown, callback: unknown, ...rest: unknown[]): RouteEntry {
    const entry = Reflect.apply(create, this, [instance, callback, ...rest]) as RouteEntry;
    const site = typeof callback === "function" ? siteOfHandler(callback) : undefined;
    return site === undefined || typeof entry !== "function" ? entry : recordedRoute(site, entry);
  } satisfies CreateRoute;
  prototype![WRAPPED] = true;
  return true;
}

function recordedRoute(site: DecoratedSite, entry: RouteEntry): RouteEntry {
  return function recordedRouteEntry(request, response, next) {
    const recording = beginRecording(site, request, response);
    if (recording === undefined) return entry(request, response, next);
    const handled = recording.opensScope ? runInScope(recording.scope, entry, request, response, next) : entry(request, response, next);
    // Nest's route function is async: whatever its guards, interceptors, pipes,
    // handler or serializer throw arrives here as a rejection, on its way to
    // the exception filters.
    return handled.then(undefined, (error: unknown) => {
      recording.notePipelineError(error);
      throw error;
    });
  };
}

/**
 * The request's recording, or `undefined` when there is no client to record
 * through. It is left in the request's slot, where the handler finds it
 * (`currentRouteRecording`); the correlation middleware made the slot with
 * the request's scope, and a route without one gets a scope of its own.
 */
function beginRecording(site: DecoratedSite, request: unknown, response: unknown): RouteRecording | undefined {
  const client = currentClient();
  if (client === undefined) return undefined; // no module started yet: the method itself warns
  try {
    const active = currentScope();
    const slot = active?.requestSlot;
    if (active?.correlationId !== undefined && slot !== undefined && slot.held === undefined) {
      return new RouteRecording(site, client, request, rawResponse(response), active, slot, false);
    }
    // No free slot (no correlation middleware ran on this route, or a route
    // called through next() by another decorated one): a scope of the
    // route's own, with the active id, else the inbound or a generated one.
    const { headerName, generateOnMissing } = client.config;
    const ownSlot = new RequestSlot();
    const scope: CorrelationScope = {
      correlationId: active?.correlationId ?? inboundCorrelationId(rawRequest(request), headerName, generateOnMissing),
      attributes: active?.attributes,
      client,
      requestSlot: ownSlot,
    };
    return new RouteRecording(site, client, request, rawResponse(response), scope, ownSlot, true);
  } catch (error) {
    client.reportInternalError(error);
    return undefined;
  }
}
