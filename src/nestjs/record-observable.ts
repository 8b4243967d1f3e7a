import { Observable } from "rxjs";
import type { Execution } from "../core/execution.js";
import type { Settlement } from "./settlement.js";

/** The error recorded when an Observable is unsubscribed before it emitted anything or finished. */
function unsubscribedBeforeResult(): Error {
  const error = new Error("unsubscribed before the Observable emitted a value or completed");
  error.name = "UnsubscribedError";
  return error;
}

/**
 * Returns an Observable emitting what `source` emits, whose first
 * subscription settles `execution`: on `complete` with the last value (the
 * `output`), on `error` with the error. Unsubscribing early settles it too:
 * with the last value when there was one (`firstValueFrom`, `take(1)`), else
 * as an `UnsubscribedError`. Later subscriptions pass through unrecorded (one
 * event per invocation); an Observable nobody subscribes to did no work and
 * emits no event. The event is settled before the value or completion is
 * passed on, so it exists by the time anyone reacts to it.
 */
export function recordObservable<T>(source: Observable<T>, execution: Execution, settlement: Settlement): Observable<T> {
  let recorded = false;
  return new Observable<T>((subscriber) => {
    if (recorded) return source.subscribe(subscriber);
    recorded = true;
    let last: unknown;
    let emitted = false;
    let finished = false;
    // Subscribing runs the source's producer: nested decorated calls it makes
    // belong to this execution's correlation.
    const inner = execution.run(() =>
      source.subscribe({
        next(value) {
          last = value;
          emitted = true;
          subscriber.next(value);
        },
        error(error: unknown) {
          finished = true;
          settlement.fail(execution, error);
          subscriber.error(error);
        },
        complete() {
          finished = true;
          settlement.succeed(execution, last);
          subscriber.complete();
        },
      }),
    );
    return () => {
      if (!finished) {
        finished = true;
        if (emitted) settlement.succeed(execution, last);
        else settlement.fail(execution, unsubscribedBeforeResult());
      }
      inner.unsubscribe();
    };
  });
}
