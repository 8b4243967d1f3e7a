import { isObservable } from "rxjs";
import type { Execution } from "../core/execution.js";
import { recordObservable } from "./record-observable.js";
import type { Settlement } from "./settlement.js";

function isThenable(value: object): value is PromiseLike<unknown> {
  try {
    return typeof (value as { then?: unknown }).then === "function";
  } catch {
    return false;
  }
}

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
    if (result instanceof Promise) {
      // Our handlers never throw, so this derived promise never rejects unhandled.
      result.then(
        (value) => settlement.succeed(execution, value),
        (error: unknown) => settlement.fail(execution, error),
      );
      return result;
    }
    if (isThenable(result)) {
      // A foreign thenable may start work on every `then` (lazy query
      // builders do): it is adopted once and the caller gets the adopting promise.
      const adopted = Promise.resolve(result);
      adopted.then(
        (value) => settlement.succeed(execution, value),
        (error: unknown) => settlement.fail(execution, error),
      );
      return adopted;
    }
  }
  settlement.succeed(execution, result);
  return result;
}
