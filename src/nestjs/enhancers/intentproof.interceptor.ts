import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from "@nestjs/common";
import type { Observable } from "rxjs";

/**
 * Kept so that applications that registered it keep compiling: it passes
 * every request through unchanged. Decorated route handlers are recorded
 * without any interceptor (`IntentProofModule` recognises them when Nest
 * builds their routes), so registering it is never needed and never records
 * anything twice.
 * @deprecated Remove it from `APP_INTERCEPTOR` / `@UseInterceptors`.
 */
@Injectable()
export class IntentProofInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle();
  }
}
