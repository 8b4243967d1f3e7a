/**
 * `intentproof/nestjs`: IntentProof for NestJS 11 and 12, on the Express and
 * the Fastify platform.
 *
 * ```ts
 * @Module({ imports: [IntentProofModule.forRoot({ exporters: [new HttpExporter({ url })] })] })
 * export class AppModule {}
 *
 * @Controller("refunds")
 * export class RefundsController {
 *   @Post()
 *   @IntentProof({ intent: "Initiate refund", action: "refunds.create" })
 *   create(@Body() body: RefundDto, @CorrelationId() correlationId: string) { ... }
 * }
 * ```
 *
 * Peer dependencies: `@nestjs/common`, `@nestjs/core`, `rxjs`, `reflect-metadata`.
 * @packageDocumentation
 */

import { installClientPolicies } from "./policy/client-policies.js";

// `forRoot({ policies })` must work in an app that imports nothing else of the
// package: this fills the client's policy extension point.
installClientPolicies();

/** The module: `IntentProofModule.forRoot(options)` / `forRootAsync({ imports, inject, useFactory | useClass | useExisting })`. */
export { IntentProofModule } from "./nestjs/module/intentproof.module.js";

/** Options of `forRoot` and `forRootAsync`, and the factory interface for `useClass` / `useExisting`. */
export type {
  IntentProofExcludedRoute,
  IntentProofModuleAsyncOptions,
  IntentProofModuleCorrelationOptions,
  IntentProofModuleOptions,
  IntentProofOptionsFactory,
} from "./nestjs/module/module-options.js";

/** Token of the module options: `@Inject(INTENTPROOF_MODULE_OPTIONS)`. */
export { INTENTPROOF_MODULE_OPTIONS } from "./nestjs/module/tokens.js";

/** Method decorator recording each invocation of a handler or provider method as one event. */
export { IntentProof } from "./nestjs/decorators/intentproof.decorator.js";

/** Parameter decorator giving a handler the request's correlation id. */
export { CorrelationId } from "./nestjs/decorators/correlation-id.decorator.js";

/** The correlation middleware the module mounts on every route (same header rules as `intentproof/express`). */
export { IntentProofMiddleware } from "./nestjs/middleware/correlation.middleware.js";

/**
 * A pass-through interceptor kept for applications that registered it:
 * decorated handlers are recorded without any interceptor.
 * @deprecated Not needed; remove it from `APP_INTERCEPTOR` / `@UseInterceptors`.
 */
export { IntentProofInterceptor } from "./nestjs/enhancers/intentproof.interceptor.js";
