import type { CanActivate, ExecutionContext } from "@nestjs/common";
import type { ApplicationConfig } from "@nestjs/core";
import type { IntentProofClient } from "../core/client.js";
import { currentScope, type CorrelationScope } from "../core/correlation.js";
import { clientFor } from "./client-holder.js";
import { siteOfHandler, type DecoratedSite } from "./decorated-site.js";
import { bindHandlerCall, handlerCallIn, HandlerCall, holdUnscopedCall, unscopedCallFor } from "./handler-call.js";
import { rawResponse } from "./platform.js";
import { RequestScope } from "./request-scope.js";
import { correlationIdForRequest } from "./request-correlation.js";

/**
 * The one piece of the Nest pipeline IntentProof adds to every route: a
 * global guard, run before all others, that always lets the request through.
 * For an undecorated handler its cost is one map lookup.
 *
 * For an `@IntentProof` handler it creates the request's `HandlerCall` and
 * ties it to the correlation scope the module's middleware opened, so that
 * the decorated method, when Nest calls it as this route's handler, records
 * with the `http.*` attributes (no interceptor, and so no per-request
 * Observable pipeline, is needed). Everything that may refuse the request
 * comes after it (other guards, interceptors, pipes): a refusal that goes
 * through Nest's exception filters is recorded with its exception (see
 * `RefusalObserver`), any other one when the response closes with a status of
 * 400 or more before the handler started.
 */
export class HandlerWatchGuard implements CanActivate {
  constructor(private readonly client: IntentProofClient) {}

  canActivate(context: ExecutionContext): boolean {
    const site = siteOfHandler(context.getHandler());
    if (site === undefined || context.getType() !== "http") return true;
    try {
      this.watch(site, context);
    } catch (error) {
      this.client.reportInternalError(error);
    }
    return true;
  }

  private watch(site: DecoratedSite, context: ExecutionContext): void {
    // The HTTP arguments by index: `switchToHttp()` would add three closures to the context per request.
    const request = context.getArgByIndex<object>(0);
    const active = currentScope();
    // Already watched (the guard registered twice): once is enough.
    if (active !== undefined ? handlerCallIn(active)?.request === request : unscopedCallFor(request) !== undefined) return;

    const client = clientFor(active) ?? this.client;
    let scope: CorrelationScope;
    if (active instanceof RequestScope) {
      // A route without the correlation middleware: the handler still gets the inbound or a generated id.
      active.correlationId ??= correlationIdForRequest(client, request);
      scope = active;
    } else {
      scope = active ?? { correlationId: correlationIdForRequest(client, request), client };
    }
    const response = context.getArgByIndex<unknown>(1);
    const call = new HandlerCall(site, client, request, response, scope);
    if (active !== undefined) bindHandlerCall(active, call);
    else holdUnscopedCall(request, call);

    const raw = rawResponse(response);
    raw.once("close", () => {
      if (raw.statusCode >= 400) call.refuse({ status: raw.statusCode });
    });
  }
}

/**
 * Puts the handler guard in front of every other global guard. It is added
 * to the application config while providers are being created, before Nest
 * adds the `APP_GUARD` providers (a user's global auth guard included) and
 * before `app.useGlobalGuards()` can run, so no guard can refuse a request
 * before it is watched.
 */
export function installHandlerWatch(appConfig: ApplicationConfig | undefined, client: IntentProofClient): void {
  if (typeof appConfig?.addGlobalGuard !== "function" || typeof appConfig.getGlobalGuards !== "function") return;
  if (appConfig.getGlobalGuards().some((guard) => guard instanceof HandlerWatchGuard)) return;
  appConfig.addGlobalGuard(new HandlerWatchGuard(client));
}
