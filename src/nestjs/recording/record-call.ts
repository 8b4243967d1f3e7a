import { isObservable } from "rxjs";
import { callRecorded, type Execution, type Settlement } from "../../core/execution.js";
import { recordObservable } from "./record-observable.js";

/**
 * The core's call-and-settle step (sync result, throw, promise, thenable),
 * plus Nest's third shape: an Observable is returned wrapped, settling
 * `execution` when its first subscription completes or errors (see
 * `recordObservable`). `settlement` defaults to settling `execution` as is.
 */
export function recordCall(
  execution: Execution,
  fn: (...args: any[]) => unknown,
  thisArg: unknown,
  args: unknown[],
  settlement?: Settlement,
): unknown {
  return callRecorded(execution, fn, thisArg, args, settlement, (result) =>
    isObservable(result) ? recordObservable(result, execution, settlement) : undefined,
  );
}
