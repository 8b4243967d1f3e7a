import { tryStartExecution } from "../../core/execution.js";
import { currentClient } from "../utils/client-registry.js";
import { warnUninitialised } from "../utils/uninitialised-warning.js";
import type { DecoratedSite } from "./decorated-site.js";
import { recordCall } from "./record-call.js";
import { currentRouteRecording } from "./route-recording.js";

type Method = (...args: any[]) => unknown;

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
      // A failure to start is reported by the core; the handler runs regardless.
      const execution = tryStartExecution(route.client, site.plan, args);
      if (execution === undefined) return Reflect.apply(original, this, args);
      route.handlerStarted(execution);
      return recordCall(execution, original, this, args, route);
    }
    const client = currentClient();
    if (client === undefined) {
      warnUninitialised(site.label);
      return Reflect.apply(original, this, args);
    }
    const execution = tryStartExecution(client, site.plan, args);
    if (execution === undefined) return Reflect.apply(original, this, args);
    return recordCall(execution, original, this, args);
  };
}
