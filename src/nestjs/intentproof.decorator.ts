import { UseFilters } from "@nestjs/common";
import type { WrapOptions } from "../core/types.js";
import { prepareWrap } from "../core/wrap-plan.js";
import { copyFunctionMetadata } from "./copy-function-metadata.js";
import { markDecorated, type DecoratedSite } from "./decorated-site.js";
import { createRecordedMethod } from "./recorded-method.js";
import { refusalObserverFilter } from "./refusal-observer.filter.js";

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
 * - Handlers: the event has `http.method`, `http.route` and
 *   `http.status_code`. An `HttpException` gives `error.name` its class name
 *   and `error.code` its status; any other error counts as a 500. A request
 *   refused before the handler ran (a guard, a pipe) is recorded as an error
 *   event with the request's params, query and body as inputs.
 * - How: `IntentProofModule`'s middleware and global guard mark each request
 *   to a decorated handler, and the replaced method records as that handler
 *   when Nest calls it. No interceptor is attached (an interceptor would make
 *   Nest build an Observable pipeline for every request); the decorator only
 *   adds an exception filter that is consulted when an exception is thrown,
 *   never chosen, and lets a refusal be recorded with its exception class.
 *   `IntentProofInterceptor` remains available for applications that want to
 *   register it themselves.
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
    // No interceptor: an interceptor on a route makes Nest build an Observable
    // pipeline for every request. The module's global guard ties the request
    // to this method instead; this filter, consulted only when an exception
    // is thrown, lets a refusal be recorded with its exception.
    UseFilters(refusalObserverFilter)(target, propertyKey, descriptor);
    return descriptor;
  };
}
