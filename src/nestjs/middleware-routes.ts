import type { MiddlewareConsumer } from "@nestjs/common";
import { IntentProofMiddleware } from "./intentproof.middleware.js";
import type { ModuleSettings } from "./module-settings.js";
import { RequestScopeMiddleware } from "./request-scope.middleware.js";

/**
 * The route pattern matching every path, root included, for `forRoutes()`.
 * Nest 11 and 12 match middleware paths with path-to-regexp 8 on both
 * platforms, where a wildcard must be named and is optional inside braces;
 * Nest 12 rewrites a bare `*` to this and Nest 11 warns about `*`.
 * (Nest 10 and earlier wanted `*`; they are not supported.)
 */
export const ALL_ROUTES = "{*path}";

/**
 * Mounts the correlation middleware on every route but the excluded ones,
 * and the bare request-scope middleware on the routes it leaves out (every
 * route with `mountMiddleware: false`), so that every request has a scope of
 * its own before the guards run: decorated handlers are recognised through it.
 */
export function mountCorrelationMiddleware(consumer: MiddlewareConsumer, settings: ModuleSettings): void {
  if (!settings.mountMiddleware) {
    consumer.apply(RequestScopeMiddleware).forRoutes(ALL_ROUTES);
    return;
  }
  const proxy = consumer.apply(IntentProofMiddleware);
  if (settings.exclude.length > 0) {
    const excluded = settings.exclude as Parameters<typeof proxy.exclude>;
    proxy.exclude(...excluded);
    consumer.apply(RequestScopeMiddleware).forRoutes(...excluded);
  }
  proxy.forRoutes(ALL_ROUTES);
}
