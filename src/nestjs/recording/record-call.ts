import { isObservable } from "rxjs";
import { followThenable, isThenable, type Execution } from "../../core/execution.js";
import { recordObservable } from "./record-observable.js";
import type { Settlement } from "./settlement.js";

/**
 * Runs `fn` inside `execution` and settles it when the call's outcome is
 * known, keeping the call's shape: a sync result or throw is settled before
 * it is returned or rethrown; a promise is returned as is and settled when it
 * settles; an Observable is returned wrapped (see `recordObservable`).
 */
export function recordCall(
  execution: Execution,
  settlement: Settlement,
  fn: (...args: any[]) => unknown,
  thisArg: unknown,
  args: unknown[],
): unknown {
  let result: unknown;
  try {
    result = execution.call(fn, thisArg, args);
  } catch (error) {
    settlement.fail(execution, error);
    throw error;
  }
  if (result !== null && (typeof result === "object" || typeof result === "function")) {
    if (isObservable(result)) return recordObservable(result, execution, settlement);
    if (isThenable(result)) {
      return followThenable(
        result,
        (value) => settlement.succeed(execution, value),
        (error) => settlement.fail(execution, error),
      );
    }
  }
  settlement.succeed(execution, result);
  return result;
}
