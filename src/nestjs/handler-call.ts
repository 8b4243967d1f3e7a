import type { IntentProofClient } from "../core/client.js";
import type { CorrelationScope } from "../core/correlation.js";
import type { Execution } from "../core/execution.js";
import type { DecoratedSite } from "./decorated-site.js";
import { failureOf, httpAttributes, statusError } from "./http-outcome.js";
import { responseStatusOf } from "./platform.js";
import type { Settlement } from "./settlement.js";

/**
 * One request on its way to a decorated route handler. The interceptor
 * creates it and binds it to the correlation scope the handler runs in; the
 * decorated method finds it there, knows it is being called as that route's
 * handler, and settles its event through it (adding the `http.*` attributes).
 */
export class HandlerCall implements Settlement {
  /** Set when the handler method was entered: from then on its own event covers the request. */
  started = false;

  constructor(
    readonly site: DecoratedSite,
    readonly client: IntentProofClient,
    readonly request: unknown,
    readonly response: unknown,
    readonly scope: CorrelationScope,
  ) {}

  // Nest sets the route's status (`@HttpCode`, 201 for POST, else 200) before
  // the handler runs and a `@Res({ passthrough: true })` handler may change
  // it, so the status is read when the handler's result settles. A 5xx set
  // without a thrown error is still a failure, as in the Express integration.
  succeed(execution: Execution, value: unknown): void {
    try {
      const status = responseStatusOf(this.response);
      const attributes = httpAttributes(this.request, status);
      if (status >= 500) execution.fail(statusError(status), { code: String(status), attributes });
      else execution.succeed(value, attributes);
    } catch (error) {
      this.client.reportInternalError(error);
      execution.succeed(value);
    }
  }

  fail(execution: Execution, error: unknown): void {
    try {
      execution.fail(error, failureOf(error, this.request).details);
    } catch (internal) {
      this.client.reportInternalError(internal);
      execution.fail(error);
    }
  }
}

const callsByScope = new WeakMap<CorrelationScope, HandlerCall>();

export function bindHandlerCall(call: HandlerCall): void {
  callsByScope.set(call.scope, call);
}

/** The handler call the current scope belongs to, if any. */
export function handlerCallIn(scope: CorrelationScope | undefined): HandlerCall | undefined {
  return scope === undefined ? undefined : callsByScope.get(scope);
}
