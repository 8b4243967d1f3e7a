import { Inject, Module, Optional, type DynamicModule, type MiddlewareConsumer, type NestModule, type Provider } from "@nestjs/common";
import { HttpAdapterHost } from "@nestjs/core";
import { IntentProofClient } from "../../core/client.js";
import type { IntentProofConfigDocument } from "../../core/types.js";
import { mountCorrelationMiddleware } from "../middleware/mount-middleware.js";
import { asyncOptionsProviders, checkAsyncOptions } from "./async-options.js";
import { IntentProofLifecycle } from "./lifecycle.js";
import type { IntentProofModuleAsyncOptions, IntentProofModuleOptions } from "./module-options.js";
import { clientForSettings, resolveModuleSettings, type ModuleSettings } from "./module-settings.js";
import { INTENTPROOF_MODULE_OPTIONS, INTENTPROOF_SETTINGS } from "./tokens.js";

// Every provider takes its dependencies through explicit tokens, so the
// library does not depend on emitted `design:paramtypes` metadata.
const sharedProviders: Provider[] = [
  { provide: IntentProofClient, useFactory: clientForSettings, inject: [INTENTPROOF_SETTINGS] },
  IntentProofLifecycle,
];

const exported = [IntentProofClient, INTENTPROOF_MODULE_OPTIONS];

/**
 * Wires IntentProof into a Nest application: provides the configured
 * `IntentProofClient` (inject it by class), mounts the correlation middleware
 * on every route, records `@IntentProof` methods through that client, and
 * delivers buffered events on shutdown. Import it once, in the root module
 * (a second `forRoot` in the same application is an error at startup).
 */
@Module({})
export class IntentProofModule implements NestModule {
  private readonly settings: ModuleSettings;

  // Optional so that `imports: [IntentProofModule]` (no settings provider)
  // fails with a message naming the fix rather than a DI error about a token.
  // The client and the adapter host are for mounting the middleware (see mount-middleware.ts).
  constructor(
    @Optional() @Inject(INTENTPROOF_SETTINGS) settings?: ModuleSettings,
    @Optional() @Inject(IntentProofClient) private readonly client?: IntentProofClient,
    @Optional() @Inject(HttpAdapterHost) private readonly adapterHost?: HttpAdapterHost,
  ) {
    if (settings === undefined) {
      throw new Error(
        "IntentProofModule was imported without configuration: use " +
          "imports: [IntentProofModule.forRoot({ exporters: [...] })] (or IntentProofModule.forRootAsync({ useFactory }))" +
          ", not imports: [IntentProofModule].",
      );
    }
    this.settings = settings;
  }

  configure(consumer: MiddlewareConsumer): void {
    mountCorrelationMiddleware(consumer, this.settings, this.client!, this.adapterHost);
  }

  /**
   * Configures the module from static options, or from the spec's
   * declarative `intentproof_config.v1` document (which configures the
   * client; the module's own settings keep their defaults). They are
   * validated now: a bad one throws a `TypeError` naming the field. Each
   * application created from the module gets its own client (unless
   * `client` is given).
   */
  static forRoot(options: IntentProofModuleOptions | IntentProofConfigDocument = {}): DynamicModule {
    const settings = resolveModuleSettings(options, "IntentProofModule.forRoot");
    return {
      module: IntentProofModule,
      global: settings.isGlobal,
      providers: [
        { provide: INTENTPROOF_MODULE_OPTIONS, useValue: options },
        { provide: INTENTPROOF_SETTINGS, useValue: settings },
        ...sharedProviders,
      ],
      exports: exported,
    };
  }

  /**
   * Configures the module from options produced by a factory (`useFactory`
   * with `inject`, e.g. `ConfigService`), a class implementing
   * `IntentProofOptionsFactory` (`useClass`), or an existing provider of one
   * (`useExisting`). The produced options are validated like `forRoot`'s,
   * when the application starts. `isGlobal` is given here, not by the factory.
   */
  static forRootAsync(options: IntentProofModuleAsyncOptions): DynamicModule {
    checkAsyncOptions(options);
    const isGlobal = options.isGlobal ?? true;
    return {
      module: IntentProofModule,
      global: isGlobal,
      imports: options.imports ?? [],
      providers: [
        ...asyncOptionsProviders(options),
        {
          provide: INTENTPROOF_SETTINGS,
          useFactory: (produced: unknown) => settingsFromFactory(produced, isGlobal),
          inject: [INTENTPROOF_MODULE_OPTIONS],
        },
        ...sharedProviders,
      ],
      exports: exported,
    };
  }
}

function settingsFromFactory(produced: unknown, isGlobal: boolean): ModuleSettings {
  const where = "IntentProofModule.forRootAsync (options produced by the factory)";
  // A factory that returns nothing has usually lost a `return`: say so rather than start with the defaults.
  if (produced === undefined) {
    throw new TypeError(
      `${where}: useFactory (or createIntentProofOptions() of useClass/useExisting) returned undefined; return an options object ({} for the defaults)`,
    );
  }
  const settings = resolveModuleSettings(produced, where);
  const requested = (produced as { isGlobal?: unknown } | null | undefined)?.isGlobal;
  if (requested !== undefined && requested !== isGlobal) {
    throw new TypeError(`${where}: "isGlobal" must be set on forRootAsync's own options; the factory runs too late to change it`);
  }
  return settings;
}
