// What differs between Nest's Express and Fastify platforms, in one place.
// Guards and interceptors see the platform's request and response (Express's
// `req`/`res`, or Fastify's `FastifyRequest`/`FastifyReply`, which wrap Node's
// objects in `.raw`); middleware always sees Node's objects.

import type { IncomingMessage, ServerResponse } from "node:http";

type AnyRecord = Record<string, any>;

/** Node's `IncomingMessage` behind a platform request. */
export function rawRequest(request: unknown): IncomingMessage {
  return ((request as AnyRecord)?.raw ?? request) as IncomingMessage;
}

/** Node's `ServerResponse` behind a platform response. */
export function rawResponse(response: unknown): ServerResponse {
  return ((response as AnyRecord)?.raw ?? response) as ServerResponse;
}

/**
 * The route pattern that matched (`/refunds/:id`, global prefix and version
 * included), or `undefined`. Express keeps it on `req.route`, Fastify on
 * `request.routeOptions.url` (`routerPath` before Fastify 4.10).
 */
export function routePatternOf(request: unknown): string | undefined {
  const r = request as AnyRecord;
  const expressPath = r?.route?.path;
  if (typeof expressPath === "string") return expressPath;
  const fastifyUrl = r?.routeOptions?.url ?? r?.routerPath;
  return typeof fastifyUrl === "string" ? fastifyUrl : undefined;
}

/** The response status as it stands now (Nest sets the route's default before the handler runs). */
export function responseStatusOf(response: unknown): number {
  const status = rawResponse(response)?.statusCode;
  return typeof status === "number" ? status : 200;
}

function hasContent(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== "object") return true;
  return Array.isArray(value) ? value.length > 0 : Object.keys(value).length > 0;
}

/**
 * `{ params, query, body }` of a request (keys left out when empty): the
 * inputs of a request refused before its handler ran, when the handler's own
 * arguments were never resolved.
 */
export function requestInputs(request: unknown): Record<string, unknown> {
  const r = request as AnyRecord;
  const inputs: Record<string, unknown> = {};
  for (const key of ["params", "query", "body"] as const) {
    let value: unknown;
    try {
      value = r?.[key];
    } catch {
      continue; // a throwing getter leaves the key out; recording never breaks a request
    }
    if (hasContent(value)) inputs[key] = value;
  }
  return inputs;
}
