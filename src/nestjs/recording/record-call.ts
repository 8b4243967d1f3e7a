import { finalize, isObservable, Observable, tap } from "rxjs";
import { callRecorded, type Execution, type Settlement } from "../../core/execution.js";

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
  return callRecorded(execution, fn, thisArg, args, settlement, adoptObservable);
}

function adoptObservable(result: object, execution: Execution, settlement: Settlement | undefined): unknown {
  let observable: boolean;
  try {
    observable = isObservable(result);
  } catch {
    // A hostile result (a Proxy whose traps throw): the core records it as returned.
    return undefined;
  }
  return observable ? recordObservable(result as Observable<unknown>, execution, settlement) : undefined;
}

/** The error recorded when an Observable is unsubscribed before it emitted anything or finished. */
export class UnsubscribedError extends Error {
  override readonly name = "UnsubscribedError";
  constructor() {
    super("unsubscribed before the Observable emitted a value or completed");
  }
}

/**
 * Returns an Observable emitting what `source` emits, whose first
 * subscription settles `execution`: on `complete` with the last value (the
 * `output`), on `error` with the error. Unsubscribing early settles it too:
 * with the last value when there was one (`firstValueFrom`, `take(1)`), else
 * as an `UnsubscribedError`. Later subscriptions pass through unrecorded (one
 * event per invocation); an Observable nobody subscribes to did no work and
 * emits no event. The event is settled before the completion or error is
 * passed on, so it exists by the time anyone reacts to it.
 */
export function recordObservable<T>(source: Observable<T>, execution: Execution, settlement?: Settlement): Observable<T> {
  const succeed = (value: unknown) => (settlement === undefined ? execution.succeed(value) : settlement.succeed(execution, value));
  const fail = (error: unknown) => (settlement === undefined ? execution.fail(error) : settlement.fail(execution, error));
  let claimed = false;
  let last: unknown;
  let emitted = false;
  // Operators (not a hand-written subscriber) so that a consumer that
  // unsubscribes while a synchronous source is still emitting stops it.
  const recorded = source.pipe(
    tap({
      next(value) {
        last = value;
        emitted = true;
      },
      error(error: unknown) {
        fail(error);
      },
      complete() {
        succeed(last);
      },
    }),
    finalize(() => {
      // Settled already unless the consumer unsubscribed first (Execution settles once).
      if (execution.isSettled) return;
      if (emitted) succeed(last);
      else fail(new UnsubscribedError());
    }),
  );
  return new Observable<T>((subscriber) => {
    if (claimed) return source.subscribe(subscriber);
    claimed = true;
    // Subscribing runs the source's producer: nested decorated calls it
    // makes belong to this execution's correlation.
    return execution.run(() => recorded.subscribe(subscriber));
  });
}
