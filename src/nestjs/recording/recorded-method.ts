import type { IntentProofClient } from "../../core/client.js";
import type { Execution } from "../../core/execution.js";
import { currentClient } from "../utils/client-registry.js";
import { warnUninitialised } from "../utils/uninitialised-warning.js";
import type { DecoratedSite } from "./decorated-site.js";
import { recordCall } from "./record-call.js";
import { currentRouteRecording } from "./route-recording.js";
import { plainSettlement } from "./settlement.js";

type Method = (...args: any[]) => unknown;

/** Starts the method's execution, or `undefined` (reported) if recording fails: the method must run anyway. */
function start(client: IntentProofClient, site: DecoratedSite, args: unknown[]): Execution | undefined {
  try {
    return client.startExecution(site.plan, args);
  } catch (error) {
    client.reportInternalError(error);
    return undefined;
  }
}

/**
 * The function `@IntentProof` puts in place of a method. Each call:
 * - as the route handler of a request Nest is handling (the route entry
 *   began a `RouteRecording` for it): its execution starts now, with the
 *   arguments Nest resolved, and is settled with the response (see
 *   `RouteRecording`);
 * - otherwise (a provider method, a cron job, a queue consumer, a plain
 *   `new`): records through the request's client or the module's, with the
 *   active correlation id or a generated one, when it settles;
 * - before any IntentProofModule has started: runs unrecorded, warned once.
 * `this`, the arguments and the result's shape (sync, promise, Observable)
 * are passed through.
 */
export function createRecordedMethod(site: DecoratedSite, original: Method): Method {
  return function recordedMethod(this: unknown, ...args: unknown[]): unknown {
    const route = currentRouteRecording();
    if (route !== undefined && route.awaitsHandler(site)) {
      const execution = start(route.client, site, args);
      if (execution === undefined) return Reflect.apply(original, this, args);
      route.handlerStarted(execution);
      return recordCall(execution, route, original, this, args);
    }
    const client = currentClient();
    if (client === undefined) {
      warnUninitialised(site.label);
      return Reflect.apply(original, this, args);
    }
    const execution = start(client, site, args);
    if (execution === undefined) return Reflect.apply(original, this, args);
    return recordCall(execution, plainSettlement, original, this, args);
  };
}
