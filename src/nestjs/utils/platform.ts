// What differs between Nest's Express and Fastify platforms, in one place.
// Route handlers and enhancers see the platform's request and response
// (Express's `req`/`res`, or Fastify's `FastifyRequest`/`FastifyReply`, which
// wrap Node's objects in `.raw`); middleware always sees Node's objects.

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
 * `request.routeOptions.url`.
 */
export function routePatternOf(request: unknown): string | undefined {
  const r = request as AnyRecord;
  const expressPath = r?.route?.path;
  if (typeof expressPath === "string") return expressPath;
  const fastifyUrl = r?.routeOptions?.url;
  return typeof fastifyUrl === "string" ? fastifyUrl : undefined;
}
