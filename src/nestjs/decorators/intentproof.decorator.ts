import type { WrapOptions } from "../../core/types.js";
import { prepareWrap } from "../../core/wrap-plan.js";
import { markDecorated, type DecoratedSite } from "../recording/decorated-site.js";
import { createRecordedMethod } from "../recording/recorded-method.js";
import { copyFunctionMetadata } from "../utils/copy-function-metadata.js";

const WHERE = "@IntentProof";

function labelOf(target: object, propertyKey: string | symbol): string {
  // `target` is the prototype for an instance method, the class for a static one.
  const owner = typeof target === "function" ? target : target.constructor;
  return `${owner?.name || "<anonymous class>"}.${String(propertyKey)}`;
}

/**
 * Records every invocation of the decorated method as one `ExecutionEvent`,
 * through the client of `IntentProofModule`. Works on controller handlers
 * and on any provider method, sync, async or returning an `Observable`.
 *
 * The options are checked when the class is defined: a malformed one throws a
 * `TypeError` naming the field then, never when the method is called. The
 * method is replaced at definition time by a function that keeps its name,
 * length, `this` and every reflect-metadata entry (routes, guards, pipes,
 * Swagger), in either decorator order, and finds the module's client when it
 * is called, so it also works outside HTTP (cron jobs, queue consumers,
 * microservice handlers, a plain `new`).
 *
 * - `inputs`: the arguments keyed by index (for a handler, as Nest's param
 *   decorators and pipes resolved them), unless `captureInput` is given.
 * - Route handlers: the event is the response the client got, emitted when
 *   the response has closed: `http.method`, `http.route`, `http.status_code`
 *   as sent (after interceptors, exception filters and `@Res()` code), and
 *   `http.client_aborted` when the client left first. A thrown error keeps
 *   its class (`error.name`); an HttpException's `error.code` is the status
 *   sent. An error an exception filter answered with a 2xx/3xx is `ok`; a
 *   5xx sent without a thrown error is an `HttpError`; an error after the
 *   response went out is recorded with `http.response_already_sent`, and a
 *   client that left first as a `ClientAbortedError`. A request refused
 *   before the handler ran (a guard, a pipe) is recorded as an error event
 *   with the request's params, query and body as inputs. A `StreamableFile`
 *   or stream result is recorded as a short token, never its internals.
 *   `output` is the body the client got, as the platform serialized it
 *   after interceptors and filters (a file or stream: its token; SSE: the
 *   last event; this decorator's own `captureOutput` hook gets the
 *   handler's result).
 * - Routes are recognised when Nest builds them (see `route-entry.ts`): no
 *   guard, interceptor or filter is added to any route, and undecorated
 *   routes are left exactly as Nest built them.
 * - `Observable` results: the event settles when the first subscription
 *   completes (`output` = the last value) or errors.
 * - Before the module has started, the method runs unrecorded (warned once).
 *
 * Needs `experimentalDecorators`, like every Nest decorator.
 */
export function IntentProof<TArgs extends unknown[] = any[], TResult = any>(
  options: WrapOptions<TArgs, TResult>,
): MethodDecorator {
  const plan = prepareWrap(options, WHERE);
  // The same options without `captureInput`, whose hook expects the method's
  // arguments: a refused request never had any.
  const refusalPlan = prepareWrap({ ...options, captureInput: undefined }, WHERE);
  return (target: object, propertyKey: string | symbol, descriptor: PropertyDescriptor) => {
    if (typeof propertyKey === "object" || descriptor === undefined) {
      throw new TypeError(`${WHERE}: use it with "experimentalDecorators" enabled (as NestJS requires)`);
    }
    const label = labelOf(target, propertyKey);
    const original: unknown = descriptor.value;
    if (typeof original !== "function") {
      throw new TypeError(`${WHERE}: ${label} is not a method (accessors and fields cannot be recorded)`);
    }
    const site: DecoratedSite = { label, plan, refusalPlan };
    const recorded = createRecordedMethod(site, original as (...args: any[]) => unknown);
    copyFunctionMetadata(original, recorded);
    markDecorated(recorded, site);
    descriptor.value = recorded;
    return descriptor;
  };
}
