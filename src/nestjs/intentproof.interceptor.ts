import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from "@nestjs/common";
import { Observable } from "rxjs";
import { currentScope, runInScope, type CorrelationScope } from "../core/correlation.js";
import { clientFor } from "./client-holder.js";
import { siteOfHandler } from "./decorated-site.js";
import { bindHandlerCall, handlerCallIn, HandlerCall } from "./handler-call.js";
import { recordRefusal } from "./refusal.js";
import { markHandlerReached } from "./refusal-watch.guard.js";
import { correlationIdForRequest } from "./request-correlation.js";

/**
 * Records decorated route handlers. `@IntentProof` attaches it to the
 * handlers it decorates (undecorated routes never pay for an interceptor);
 * for any other handler it is a pass-through.
 *
 * For a decorated handler it runs the rest of the pipeline in a correlation
 * scope bound to a `HandlerCall`: the decorated method finds that call when
 * Nest invokes it (after pipes), records its arguments and settles its event
 * with the `http.*` attributes. When the pipeline fails before the method
 * ran (a `ValidationPipe`, an interceptor), the refusal is recorded here.
 */
@Injectable()
export class IntentProofInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const site = siteOfHandler(context.getHandler());
    if (site === undefined || context.getType() !== "http") return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<object>();
    markHandlerReached(request);
    const outer = currentScope();
    // Registered twice (e.g. also globally): the outer one already records.
    if (handlerCallIn(outer)?.request === request) return next.handle();
    const client = clientFor(outer);
    if (client === undefined) return next.handle(); // no module yet: the method itself warns

    const scope: CorrelationScope = {
      correlationId: outer?.correlationId ?? correlationIdForRequest(client, request),
      attributes: outer?.attributes,
      client,
    };
    const call = new HandlerCall(site, client, request, http.getResponse(), scope);
    bindHandlerCall(call);
    // Nest binds the rest of the chain to the async context in which
    // `handle()` is called (Nest 12) or subscribed to (earlier): do both in
    // the call's scope.
    const handled = runInScope(scope, () => next.handle());
    return new Observable<unknown>((subscriber) =>
      runInScope(scope, () =>
        handled.subscribe({
          next: (value) => subscriber.next(value),
          error: (error: unknown) => {
            if (!call.started) recordRefusal(client, site, scope, request, { error });
            subscriber.error(error);
          },
          complete: () => subscriber.complete(),
        }),
      ),
    );
  }
}

/** The instance `@IntentProof` attaches to handlers: it has no state and no dependencies. */
export const handlerInterceptor = new IntentProofInterceptor();
