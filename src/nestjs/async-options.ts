import type { Provider } from "@nestjs/common";
import type { IntentProofModuleAsyncOptions, IntentProofOptionsFactory } from "./module-options.js";
import { INTENTPROOF_MODULE_OPTIONS } from "./tokens.js";

const WHERE = "IntentProofModule.forRootAsync";
const KNOWN_FIELDS = new Set(["imports", "inject", "isGlobal", "useFactory", "useClass", "useExisting"]);

/** Checks `forRootAsync()`'s own options when the module is defined (TypeError naming the field). */
export function checkAsyncOptions(options: unknown): asserts options is IntentProofModuleAsyncOptions {
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(`${WHERE}: options must be an object with useFactory, useClass or useExisting`);
  }
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KNOWN_FIELDS.has(key)) throw new TypeError(`${WHERE}: unknown field "${key}"`);
  }
  const sources = ["useFactory", "useClass", "useExisting"].filter((key) => o[key] !== undefined);
  if (sources.length !== 1) {
    throw new TypeError(`${WHERE}: give exactly one of "useFactory", "useClass" or "useExisting" (got ${sources.length})`);
  }
  if (o.useFactory !== undefined && typeof o.useFactory !== "function") {
    throw new TypeError(`${WHERE}: "useFactory" must be a function`);
  }
  if (o.useClass !== undefined && typeof o.useClass !== "function") {
    throw new TypeError(`${WHERE}: "useClass" must be a class`);
  }
  for (const list of ["imports", "inject"]) {
    if (o[list] !== undefined && !Array.isArray(o[list])) throw new TypeError(`${WHERE}: "${list}" must be an array`);
  }
  if (o.isGlobal !== undefined && typeof o.isGlobal !== "boolean") {
    throw new TypeError(`${WHERE}: "isGlobal" must be a boolean`);
  }
}

function fromFactoryClass(factory: IntentProofOptionsFactory, source: string): unknown {
  if (typeof factory?.createIntentProofOptions !== "function") {
    throw new TypeError(`${WHERE}: ${source} has no createIntentProofOptions() method`);
  }
  return factory.createIntentProofOptions();
}

function describe(token: unknown): string {
  return typeof token === "function" ? token.name : String(token);
}

/** The providers that produce `INTENTPROOF_MODULE_OPTIONS` from the async options. */
export function asyncOptionsProviders(options: IntentProofModuleAsyncOptions): Provider[] {
  if (options.useFactory !== undefined) {
    return [{ provide: INTENTPROOF_MODULE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }];
  }
  const factoryToken = options.useClass ?? options.useExisting!;
  const source = `${options.useClass !== undefined ? "useClass" : "useExisting"} ${describe(factoryToken)}`;
  const providers: Provider[] = [
    {
      provide: INTENTPROOF_MODULE_OPTIONS,
      useFactory: (factory: IntentProofOptionsFactory) => fromFactoryClass(factory, source),
      inject: [factoryToken],
    },
  ];
  if (options.useClass !== undefined) providers.push({ provide: options.useClass, useClass: options.useClass });
  return providers;
}
