import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from "@nestjs/common";
import { Observable } from "rxjs";
import { currentScope, runInScope } from "../core/correlation.js";
import { clientFor } from "./client-holder.js";
import { siteOfHandler } from "./decorated-site.js";
import { bindHandlerCall, handlerCallIn, HandlerCall, unscopedCallFor } from "./handler-call.js";
import { RequestScope } from "./request-scope.js";
import { correlationIdForRequest } from "./request-correlation.js";

/**
 * An optional, explicit way to record decorated route handlers; `@IntentProof`
 * does not attach it. Decorated handlers are normally recorded without any
 * interceptor: `IntentProofModule`'s middleware and global guard tie each
 * request to its decorated handler, which keeps routes free of the
 * Observable pipeline Nest builds for every request to a route that has an
 * interceptor. Register this one yourself (`@UseInterceptors(IntentProofInterceptor)`,
 * `APP_INTERCEPTOR`) only where that tie cannot be made: a request that
 * reaches the guard outside any correlation scope, or an application whose
 * global guards the module could not extend.
 *
 * Where the guard already tied the request to its handler, and for
 * undecorated handlers, it passes the request through untouched (so
 * registering it everywhere records nothing twice). Otherwise it runs the
 * rest of the pipeline in a correlation scope of its own, tied to the
 * request's `HandlerCall`, and records a failure of the pipeline before the
 * handler ran as a refusal.
 */
@Injectable()
export class IntentProofInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const site = siteOfHandler(context.getHandler());
    if (site === undefined || context.getType() !== "http") return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<object>();
    const outer = currentScope();
    if (handlerCallIn(outer)?.request === request) return next.handle(); // the guard, or an outer registration, records it
    const client = clientFor(outer);
    if (client === undefined) return next.handle(); // no module yet: the method itself warns

    const scope = new RequestScope(outer?.correlationId ?? correlationIdForRequest(client, request), client, outer?.attributes);
    // A call the guard saw outside any scope is adopted (its response watch stays in place).
    const call = unscopedCallFor(request) ?? new HandlerCall(site, client, request, http.getResponse(), scope);
    call.scope = scope;
    bindHandlerCall(scope, call);
    // Nest binds the rest of the chain to the async context in which
    // `handle()` is called (Nest 12) or subscribed to (earlier): do both in
    // the call's scope.
    const handled = runInScope(scope, () => next.handle());
    return new Observable<unknown>((subscriber) =>
      runInScope(scope, () =>
        handled.subscribe({
          next: (value) => subscriber.next(value),
          error: (error: unknown) => {
            call.refuse({ error });
            subscriber.error(error);
          },
          complete: () => subscriber.complete(),
        }),
      ),
    );
  }
}
