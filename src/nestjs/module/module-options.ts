import type { FactoryProvider, ModuleMetadata, RequestMethod, Type } from "@nestjs/common";
import type { IntentProofClient } from "../../core/client.js";
import type { CorrelationConfig, IntentProofConfig } from "../../core/types.js";

/** Correlation settings: the client's header rules plus whether responses carry the id back. */
export interface IntentProofModuleCorrelationOptions extends CorrelationConfig {
  /** Set the correlation header on every response the middleware sees. Default `true`. */
  echoHeader?: boolean;
}

/**
 * A route the correlation middleware skips, as Nest's `MiddlewareConsumer.exclude()`
 * takes it: a path (`"health"`, `"metrics/{*rest}"`) or a path with a request method.
 */
export type IntentProofExcludedRoute = string | { path: string; method: RequestMethod };

/**
 * Options of `IntentProofModule.forRoot()`: every `IntentProofConfig` field
 * (used to create the module's client) plus the module's own settings.
 */
export interface IntentProofModuleOptions extends Omit<IntentProofConfig, "correlation"> {
  /** Register the module globally, so `IntentProofClient` is injectable everywhere. Default `true`. */
  isGlobal?: boolean;
  /**
   * Use this client instead of creating one. The module then only flushes it
   * on shutdown (you own its lifecycle), and it cannot be combined with client
   * configuration fields: configure the client you pass instead.
   */
  client?: IntentProofClient;
  correlation?: IntentProofModuleCorrelationOptions;
  /**
   * Mount the correlation middleware on every route. Default `true`. When
   * `false` (or on an `exclude`d route) nothing runs for undecorated
   * handlers; a decorated handler there is still recorded, with the inbound
   * or a generated id (not echoed on the response).
   */
  mountMiddleware?: boolean;
  /** Routes the correlation middleware skips (health checks, metrics): no id is read, generated or echoed there. Default none. */
  exclude?: IntentProofExcludedRoute[];
}

/** A class that produces the module options, for `forRootAsync({ useClass })` / `{ useExisting }`. */
export interface IntentProofOptionsFactory {
  createIntentProofOptions(): IntentProofModuleOptions | Promise<IntentProofModuleOptions>;
}

/**
 * Options of `IntentProofModule.forRootAsync()`: exactly one of `useFactory`,
 * `useClass` or `useExisting` supplies the module options once their
 * dependencies (e.g. `ConfigService`) can be injected.
 */
export interface IntentProofModuleAsyncOptions extends Pick<ModuleMetadata, "imports"> {
  /**
   * Register the module globally. Default `true`. It is decided here because
   * a module's scope is fixed before any factory runs.
   */
  isGlobal?: boolean;
  /** Providers passed to `useFactory`, in order. */
  inject?: NonNullable<FactoryProvider["inject"]>;
  useFactory?: (...args: any[]) => IntentProofModuleOptions | Promise<IntentProofModuleOptions>;
  useClass?: Type<IntentProofOptionsFactory>;
  useExisting?: Type<IntentProofOptionsFactory> | string | symbol;
}
