import type { IntentProofClient } from "../core/client.js";
import type { CorrelationScope } from "../core/correlation.js";
import type { Attributes } from "../core/types.js";
import type { HandlerCall } from "./handler-call.js";

/**
 * The correlation scope the module's middleware opens for one request, before
 * any guard runs. It is the request's own object, so the guard can tie the
 * decorated handler's call to it (see `HandlerCall`), and its id can be filled
 * in late: on a route without the correlation middleware it starts empty and
 * the guard gives it the inbound or a generated id when the route's handler
 * is decorated (so the handler, `@CorrelationId()` and nested calls agree).
 */
export class RequestScope implements CorrelationScope {
  /** The request's decorated handler call once the guard tied it here, `null` if the scope proved shared (see `bindHandlerCall`). */
  handlerCall: HandlerCall | null | undefined = undefined;

  constructor(
    public correlationId: string | undefined,
    readonly client: IntentProofClient,
    readonly attributes?: Attributes,
  ) {}
}
