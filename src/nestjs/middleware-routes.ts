import type { MiddlewareConsumer } from "@nestjs/common";
import { IntentProofMiddleware } from "./intentproof.middleware.js";
import type { ModuleSettings } from "./module-settings.js";

/**
 * The route pattern matching every path, root included, for `forRoutes()`.
 * Nest 11 and 12 match middleware paths with path-to-regexp 8 on both
 * platforms, where a wildcard must be named and is optional inside braces;
 * Nest 12 rewrites a bare `*` to this and Nest 11 warns about `*`.
 * (Nest 10 and earlier wanted `*`; they are not supported.)
 */
export const ALL_ROUTES = "{*path}";

/** Mounts the correlation middleware on every route but the excluded ones. */
export function mountCorrelationMiddleware(consumer: MiddlewareConsumer, settings: ModuleSettings): void {
  if (!settings.mountMiddleware) return;
  const proxy = consumer.apply(IntentProofMiddleware);
  if (settings.exclude.length > 0) proxy.exclude(...(settings.exclude as Parameters<typeof proxy.exclude>));
  proxy.forRoutes(ALL_ROUTES);
}
