import type { IntentProofClient } from "../core/client.js";
import { currentScope } from "../core/correlation.js";
import type { WrapPlan } from "../core/wrap-plan.js";
import { clientFor } from "./client-holder.js";
import type { DecoratedSite } from "./decorated-site.js";
import { handlerCallIn } from "./handler-call.js";
import { recordCall } from "./record-call.js";
import { plainSettlement, type Settlement } from "./settlement.js";
import { warnUninitialised } from "./uninitialised-warning.js";

type Method = (...args: any[]) => unknown;

function record(
  client: IntentProofClient,
  plan: WrapPlan,
  settlement: Settlement,
  original: Method,
  thisArg: unknown,
  args: unknown[],
): unknown {
  let execution;
  try {
    execution = client.startExecution(plan, args);
  } catch (error) {
    // Recording must never stand between the caller and its method.
    client.reportInternalError(error);
    return Reflect.apply(original, thisArg, args);
  }
  return recordCall(execution, settlement, original, thisArg, args);
}

/**
 * The function `@IntentProof` puts in place of a method. Each call:
 * - as the route handler of a request the handler guard tied to this method
 *   (found through the request's correlation scope): records through that
 *   request's client, with the `http.*` attributes;
 * - otherwise (a provider method, a cron job, a queue consumer, a plain
 *   `new`): records through the request's client or the module's, with the
 *   active correlation id or a generated one;
 * - before any IntentProofModule has started: runs the method unrecorded and
 *   warns once.
 * `this`, the arguments and the result's shape (sync, promise, Observable)
 * are passed through.
 */
export function createRecordedMethod(site: DecoratedSite, original: Method): Method {
  return function recordedMethod(this: unknown, ...args: unknown[]): unknown {
    const scope = currentScope();
    const call = handlerCallIn(scope);
    if (call !== undefined && call.site === site && !call.started) {
      call.started = true;
      return record(call.client, site.plan, call, original, this, args);
    }
    const client = clientFor(scope);
    if (client === undefined) {
      warnUninitialised(site.label);
      return Reflect.apply(original, this, args);
    }
    return record(client, site.plan, plainSettlement, original, this, args);
  };
}
