import type { IntentProofClient } from "../core/client.js";
import type { CorrelationScope } from "../core/correlation.js";
import type { Execution } from "../core/execution.js";
import type { DecoratedSite } from "./decorated-site.js";
import { failureOf, httpAttributes, statusError } from "./http-outcome.js";
import { responseStatusOf } from "./platform.js";
import { recordRefusal, type Refusal } from "./refusal.js";
import { RequestScope } from "./request-scope.js";
import type { Settlement } from "./settlement.js";

/**
 * One request on its way to a decorated route handler. The handler guard
 * creates it and ties it to the request's correlation scope; the decorated
 * method finds it there, knows it is being called as that route's handler,
 * and settles its event through it (adding the `http.*` attributes). If the
 * handler never starts, the request was refused on the way and `refuse`
 * records that instead. Exactly one of the two happens.
 */
export class HandlerCall implements Settlement {
  /** Set when the handler method was entered: from then on its own event covers the request. */
  started = false;
  /** Set when a refusal was recorded: the handler did not run and nothing more is recorded. */
  private refused = false;

  constructor(
    readonly site: DecoratedSite,
    readonly client: IntentProofClient,
    readonly request: unknown,
    readonly response: unknown,
    /** The correlation a refusal is recorded with. */
    public scope: CorrelationScope,
  ) {}

  // Nest sets the route's status (`@HttpCode`, 201 for POST, else 200) after
  // the guards and a `@Res({ passthrough: true })` handler may change it, so
  // the status is read when the handler's result settles. A 5xx set without
  // a thrown error is still a failure, as in the Express integration.
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

  /** Records the request as refused before its handler ran, unless the handler ran or it was recorded already. */
  refuse(refusal: Refusal): void {
    if (this.started || this.refused) return;
    this.refused = true;
    recordRefusal(this.client, this.site, this.scope, this.request, refusal);
  }
}

// The call of a scope our middleware opened is kept on the scope itself; a
// scope of another origin (an application's own `runWithCorrelationId` around
// `next()`) is keyed here. `null` marks a scope that two requests turned out
// to share: neither is recorded as a handler there, rather than one taking
// the other's request and response.
const callsByForeignScope = new WeakMap<CorrelationScope, HandlerCall | null>();

function boundTo(scope: CorrelationScope): HandlerCall | null | undefined {
  return scope instanceof RequestScope ? scope.handlerCall : callsByForeignScope.get(scope);
}

function setBound(scope: CorrelationScope, call: HandlerCall | null): void {
  if (scope instanceof RequestScope) scope.handlerCall = call;
  else callsByForeignScope.set(scope, call);
}

/**
 * Ties `call` to `scope`, the correlation scope its handler will run in.
 * Returns false when the scope already belongs to another request.
 */
export function bindHandlerCall(scope: CorrelationScope, call: HandlerCall): boolean {
  const bound = boundTo(scope);
  if (bound === undefined) {
    setBound(scope, call);
    return true;
  }
  if (bound !== null && bound.request === call.request) return true;
  setBound(scope, null);
  return false;
}

/** The handler call the current scope belongs to, if any. */
export function handlerCallIn(scope: CorrelationScope | undefined): HandlerCall | undefined {
  return scope === undefined ? undefined : (boundTo(scope) ?? undefined);
}

// Calls the guard saw with no correlation scope active (no middleware of ours
// on the route): an explicitly registered IntentProofInterceptor adopts them.
const unscopedCalls = new WeakMap<object, HandlerCall>();

export function holdUnscopedCall(request: object, call: HandlerCall): void {
  unscopedCalls.set(request, call);
}

export function unscopedCallFor(request: object): HandlerCall | undefined {
  return unscopedCalls.get(request);
}
