import type { IncomingMessage, ServerResponse } from "node:http";
import type { MiddlewareConsumer } from "@nestjs/common";
import type { HttpAdapterHost } from "@nestjs/core";
import type { IntentProofClient } from "../../core/client.js";
import type { ModuleSettings } from "../module/module-settings.js";
import { IntentProofMiddleware } from "./correlation.middleware.js";

/**
 * The route pattern matching every path, root included, for `forRoutes()`.
 * Nest 11 and 12 match middleware paths with path-to-regexp 8 on both
 * platforms, where a wildcard must be named and is optional inside braces.
 */
export const ALL_ROUTES = "{*path}";

/**
 * Mounts the correlation middleware on every route but the excluded ones
 * (none with `mountMiddleware: false`). A decorated handler on a route it
 * does not cover still gets the inbound or a generated id (see `route-entry.ts`).
 *
 * On Express with nothing excluded it is mounted on the application itself
 * (`httpAdapter.use`, what `app.use` does), ahead of every Nest middleware
 * (not of Nest's body parsers, which `app.init()` mounts before any module's):
 * a route mount costs each request Nest's bookkeeping and Express's
 * wildcard matching and URL rewriting, about 1.4 KB and a few microseconds,
 * for the same result. It then also covers requests outside a global
 * prefix (their 404s carry the id too). Exclusions need Nest's route
 * matching, and Fastify runs middleware through its own plugin: both keep
 * the route mount.
 */
export function mountCorrelationMiddleware(
  consumer: MiddlewareConsumer,
  settings: ModuleSettings,
  client: IntentProofClient,
  adapterHost: HttpAdapterHost | undefined,
): void {
  if (!settings.mountMiddleware) return;
  const adapter = adapterHost?.httpAdapter;
  if (settings.exclude.length === 0 && adapter?.getType() === "express") {
    const middleware = new IntentProofMiddleware(client, settings);
    // A function of its own, not `use.bind(middleware)`: Express reads each
    // middleware's `length` on every request, and a bound function's is
    // worked out in the engine's C++ each time (0.2–0.35 µs a request).
    adapter.use(function intentproofCorrelation(request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void) {
      middleware.use(request, response, next);
    });
    return;
  }
  const proxy = consumer.apply(IntentProofMiddleware);
  if (settings.exclude.length > 0) proxy.exclude(...(settings.exclude as Parameters<typeof proxy.exclude>));
  proxy.forRoutes(ALL_ROUTES);
}
