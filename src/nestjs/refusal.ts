import type { IntentProofClient } from "../core/client.js";
import { runInScope, type CorrelationScope } from "../core/correlation.js";
import type { DecoratedSite } from "./decorated-site.js";
import { failureOf, httpAttributes, statusError } from "./http-outcome.js";
import { requestInputs } from "./platform.js";

/** Why a request never reached its decorated handler: the error, when we saw it, else only the final status. */
export type Refusal = { error: unknown } | { status: number };

/**
 * Records a request to a decorated handler that was refused before the
 * handler ran (a guard, a pipe such as `ValidationPipe`, an interceptor):
 * the intent was attempted and refused, so it gets an error event, with the
 * request's params, query and body as inputs. Never throws.
 */
export function recordRefusal(
  client: IntentProofClient,
  site: DecoratedSite,
  scope: CorrelationScope,
  request: unknown,
  refusal: Refusal,
): void {
  try {
    const execution = runInScope(scope, () => client.startExecution(site.refusalPlan, [], requestInputs(request)));
    if ("error" in refusal) {
      execution.fail(refusal.error, failureOf(refusal.error, request).details);
    } else {
      execution.fail(statusError(refusal.status), {
        code: String(refusal.status),
        attributes: httpAttributes(request, refusal.status),
      });
    }
  } catch (error) {
    client.reportInternalError(error);
  }
}
