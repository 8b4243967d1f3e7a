import type { Provider } from "@nestjs/common";
import type { IntentProofModuleAsyncOptions, IntentProofOptionsFactory } from "./module-options.js";
import { INTENTPROOF_MODULE_OPTIONS } from "./tokens.js";
import { describeValue, isPlainRecord, OptionsReader } from "../../core/options/options-reader.js";

const WHERE = "IntentProofModule.forRootAsync";
const KNOWN_FIELDS = ["imports", "inject", "isGlobal", "useFactory", "useClass", "useExisting"];

/** Checks `forRootAsync()`'s own options when the module is defined (the toolkit's TypeError naming the field). */
export function checkAsyncOptions(options: unknown): asserts options is IntentProofModuleAsyncOptions {
  if (!isPlainRecord(options)) {
    throw new TypeError(`${WHERE}: options must be an object with useFactory, useClass or useExisting, got ${describeValue(options)}`);
  }
  const reader = new OptionsReader(WHERE, options, KNOWN_FIELDS);
  const sources = ["useFactory", "useClass", "useExisting"].filter((field) => reader.has(field));
  if (sources.length !== 1) {
    throw new TypeError(`${WHERE}: give exactly one of "useFactory", "useClass" or "useExisting" (got ${sources.length})`);
  }
  reader.function("useFactory");
  if (reader.has("useClass") && typeof reader.raw("useClass") !== "function") reader.fail("useClass", "must be a class");
  reader.array("imports", (value) => value);
  reader.array("inject", (value) => value);
  reader.boolean("isGlobal");
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
