import type { CanActivate, ExecutionContext } from "@nestjs/common";
import type { ApplicationConfig } from "@nestjs/core";
import type { IntentProofClient } from "../core/client.js";
import { currentScope } from "../core/correlation.js";
import { clientFor } from "./client-holder.js";
import { siteOfHandler } from "./decorated-site.js";
import { rawResponse } from "./platform.js";
import { recordRefusal } from "./refusal.js";
import { correlationIdForRequest } from "./request-correlation.js";

// Requests to a decorated handler, and whether the interceptor saw them.
const watches = new WeakMap<object, { reached: boolean }>();

/** Called by the interceptor: the request got past every guard, and what happens next is recorded there. */
export function markHandlerReached(request: object): void {
  const watch = watches.get(request);
  if (watch !== undefined) watch.reached = true;
}

/**
 * Guards run before interceptors, so a request a guard refuses never reaches
 * the code that records decorated handlers. This guard runs first of all
 * guards and always lets the request through; for a decorated handler it
 * waits for the response to close and, if the request never reached the
 * interceptor and ended with a status of 400 or more, records the refusal.
 * For every other route its cost is one map lookup.
 */
export class RefusalWatchGuard implements CanActivate {
  constructor(private readonly client: IntentProofClient) {}

  canActivate(context: ExecutionContext): boolean {
    const site = siteOfHandler(context.getHandler());
    if (site === undefined || context.getType() !== "http") return true;
    try {
      const http = context.switchToHttp();
      const request = http.getRequest<object>();
      if (watches.has(request)) return true;
      const watch = { reached: false };
      watches.set(request, watch);
      const active = currentScope();
      const client = clientFor(active) ?? this.client;
      const scope = active ?? { correlationId: correlationIdForRequest(client, request), client };
      const response = rawResponse(http.getResponse());
      response.once("close", () => {
        if (!watch.reached && response.statusCode >= 400) {
          recordRefusal(client, site, scope, request, { status: response.statusCode });
        }
      });
    } catch (error) {
      this.client.reportInternalError(error);
    }
    return true;
  }
}

/**
 * Puts the refusal watch in front of every other global guard. It is added
 * to the application config while providers are being created, before Nest
 * adds the `APP_GUARD` providers (a user's global auth guard included) and
 * before `app.useGlobalGuards()` can run, so no guard can refuse a request
 * before it is watched.
 */
export function installRefusalWatch(appConfig: ApplicationConfig | undefined, client: IntentProofClient): void {
  if (typeof appConfig?.addGlobalGuard !== "function" || typeof appConfig.getGlobalGuards !== "function") return;
  if (appConfig.getGlobalGuards().some((guard) => guard instanceof RefusalWatchGuard)) return;
  appConfig.addGlobalGuard(new RefusalWatchGuard(client));
}
