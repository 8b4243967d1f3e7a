import type { MiddlewareConsumer } from "@nestjs/common";
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
 */
export function mountCorrelationMiddleware(consumer: MiddlewareConsumer, settings: ModuleSettings): void {
  if (!settings.mountMiddleware) return;
  const proxy = consumer.apply(IntentProofMiddleware);
  if (settings.exclude.length > 0) proxy.exclude(...(settings.exclude as Parameters<typeof proxy.exclude>));
  proxy.forRoutes(ALL_ROUTES);
}
