import { Catch, type ExceptionFilter } from "@nestjs/common";
import { currentScope } from "../core/correlation.js";
import { handlerCallIn } from "./handler-call.js";

/**
 * Sees the exception that refused a request to a decorated handler (a guard
 * returning false, a `ValidationPipe`, an interceptor throwing), so the
 * refusal is recorded with its class and message rather than only the final
 * status. Nest picks a route's exception filter by testing the exception
 * with `instanceof` against each filter's `@Catch()` types; this "type"
 * answers that test by noting the exception on the request's `HandlerCall`
 * (found through the correlation scope, which Nest's error path runs in) and
 * answering no, so the filter is never chosen and the application's own
 * filters and Nest's default handling answer the request as before. It costs
 * nothing until an exception is thrown. An exception thrown by the handler
 * itself is left to the handler's own event (`HandlerCall.refuse` ignores a
 * call that started).
 */
class RefusalObserver {
  static [Symbol.hasInstance](exception: unknown): boolean {
    try {
      handlerCallIn(currentScope())?.refuse({ error: exception });
    } catch {
      // Recording never changes how an exception is handled.
    }
    return false;
  }
}

@Catch(RefusalObserver as unknown as new () => unknown)
class RefusalObserverFilter implements ExceptionFilter {
  catch(): void {
    // Never chosen: RefusalObserver matches no exception.
  }
}

/**
 * The filter `@IntentProof` puts on the methods it decorates. Method filters
 * are consulted before controller and global ones, so it sees the exception
 * first unless another method filter was declared after it; the handler
 * guard's response watch covers that case (with the status only).
 */
export const refusalObserverFilter: ExceptionFilter = new RefusalObserverFilter();
