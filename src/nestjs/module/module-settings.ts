import { IntentProofClient } from "../../core/client.js";
import { CONFIG_FIELDS, CORRELATION_FIELDS, resolveConfig } from "../../core/config.js";
import { isConfigDocument } from "../../core/config-document.js";
import { describeValue, isPlainRecord, optionError, OptionsReader } from "../../core/options/options-reader.js";
import type { IntentProofConfig } from "../../core/types.js";
import type { IntentProofExcludedRoute } from "./module-options.js";

/** The module options after validation, with defaults applied. */
export interface ModuleSettings {
  /** The configuration the module's own client is created from (unused when `client` is set). */
  readonly clientConfig: IntentProofConfig;
  /** The client the user passed in, if any. */
  readonly client: IntentProofClient | undefined;
  /** True when the module created the client, and so shuts it down (else it only flushes it). */
  readonly ownsClient: boolean;
  readonly isGlobal: boolean;
  readonly echoHeader: boolean;
  readonly mountMiddleware: boolean;
  readonly exclude: readonly IntentProofExcludedRoute[];
}

const MODULE_FIELDS = ["isGlobal", "client", "mountMiddleware", "exclude"];

function excludedRoute(route: unknown, field: string, owner: string): IntentProofExcludedRoute {
  if (typeof route === "string" && route.trim() !== "") return route;
  if (isPlainRecord(route) && typeof route.path === "string" && typeof route.method === "number") {
    return route as IntentProofExcludedRoute;
  }
  throw optionError(owner, field, "must be a non-empty path or { path, method } with a RequestMethod", route);
}

/**
 * Validates module options with the package's options toolkit (a TypeError
 * `<owner>: "<field>" ...`, unknown fields rejected with the nearest known
 * one suggested) and applies the defaults. Pure: no client is created here,
 * so the same options can serve several applications.
 */
export function resolveModuleSettings(options: unknown, owner: string): ModuleSettings {
  // `forRoot()` means the defaults; `null` is a mistake, not "no options" (the reader would take it as none).
  if (options === null) throw new TypeError(`${owner}: options must be an object, got ${describeValue(options)}`);
  // The spec's declarative `intentproof_config.v1` document configures the client alone.
  if (isConfigDocument(options)) {
    resolveConfig(options, undefined, () => [], owner);
    return Object.freeze({
      clientConfig: options as IntentProofConfig,
      client: undefined,
      ownsClient: true,
      isGlobal: true,
      echoHeader: true,
      mountMiddleware: true,
      exclude: Object.freeze([]),
    });
  }
  const reader = new OptionsReader(owner, options, [...MODULE_FIELDS, ...CONFIG_FIELDS]);
  if (reader.raw("correlation") === null) reader.fail("correlation", "must be an object"); // not "no options", as in the client's config
  const correlation = reader.nested("correlation", [...CORRELATION_FIELDS, "echoHeader"]);
  const echoHeader = correlation.boolean("echoHeader", true);

  const clientConfig: Record<string, unknown> = {};
  for (const field of CONFIG_FIELDS) {
    if (field !== "correlation" && reader.has(field)) clientConfig[field] = reader.raw(field);
  }
  const clientCorrelation: Record<string, unknown> = {};
  for (const field of CORRELATION_FIELDS) {
    if (correlation.has(field)) clientCorrelation[field] = correlation.raw(field);
  }
  if (Object.keys(clientCorrelation).length > 0) clientConfig.correlation = clientCorrelation;

  const client = reader.instanceOf("client", IntentProofClient, "an IntentProofClient (from createIntentProofClient() or new IntentProofClient())");
  if (client !== undefined) {
    const conflict = Object.keys(clientConfig)[0];
    if (conflict !== undefined) {
      const field = conflict === "correlation" ? `correlation.${Object.keys(clientCorrelation)[0]}` : conflict;
      throw new TypeError(`${owner}: "client" cannot be combined with "${field}"; configure the client you pass instead`);
    }
  } else {
    // Checked now, so a bad field fails where the module is configured.
    resolveConfig(clientConfig as IntentProofConfig, undefined, () => [], owner);
  }

  return Object.freeze({
    clientConfig: clientConfig as IntentProofConfig,
    client,
    ownsClient: client === undefined,
    isGlobal: reader.boolean("isGlobal", true),
    echoHeader,
    mountMiddleware: reader.boolean("mountMiddleware", true),
    exclude: Object.freeze(reader.array("exclude", (route, field) => excludedRoute(route, field, owner)) ?? []),
  });
}

/** Creates the module's client, or adopts the one the user passed in. */
export function clientForSettings(settings: ModuleSettings): IntentProofClient {
  return settings.client ?? new IntentProofClient(settings.clientConfig);
}
