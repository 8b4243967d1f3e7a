import { IntentProofClient } from "../core/client.js";
import { resolveConfig } from "../core/config.js";
import type { IntentProofConfig } from "../core/types.js";
import type { IntentProofExcludedRoute, IntentProofModuleOptions } from "./module-options.js";

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

const MODULE_FIELDS = new Set(["isGlobal", "client", "correlation", "mountMiddleware", "exclude"]);

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function optionalBoolean(value: unknown, field: string, where: string): boolean | undefined {
  if (value !== undefined && typeof value !== "boolean") {
    throw new TypeError(`${where}: "${field}" must be a boolean`);
  }
  return value;
}

function validateExclude(value: unknown, where: string): IntentProofExcludedRoute[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new TypeError(`${where}: "exclude" must be an array of routes`);
  return value.map((route: unknown, index) => {
    if (typeof route === "string" && route.trim() !== "") return route;
    if (isObject(route) && typeof route.path === "string" && typeof route.method === "number") {
      return route as IntentProofExcludedRoute;
    }
    throw new TypeError(
      `${where}: "exclude[${index}]" must be a non-empty path or { path, method } with a RequestMethod`,
    );
  });
}

// The core names fields relative to the client config ("intentproof: config:
// "exporters[0]" ..."); module users should see the module's name instead.
function checkClientConfig(config: IntentProofConfig, where: string): void {
  try {
    resolveConfig(config, undefined, () => []);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    throw new TypeError(error.message.replace(/^intentproof:\s*(config:\s*)?/, `${where}: `), { cause: error });
  }
}

/**
 * Validates module options (a TypeError naming the field, prefixed with
 * `where`) and applies the defaults. Pure: no client is created here, so the
 * same options can serve several applications.
 */
export function resolveModuleSettings(options: unknown, where: string): ModuleSettings {
  if (options === undefined || options === null) options = {};
  if (!isObject(options)) throw new TypeError(`${where}: options must be an object`);
  const o = options as IntentProofModuleOptions & Record<string, unknown>;

  const correlation = o.correlation;
  if (correlation !== undefined && !isObject(correlation)) {
    throw new TypeError(`${where}: "correlation" must be an object`);
  }
  const { echoHeader, ...clientCorrelation } = (correlation ?? {}) as Record<string, unknown>;

  const clientConfig: Record<string, unknown> = {};
  for (const key of Object.keys(o)) {
    if (!MODULE_FIELDS.has(key)) clientConfig[key] = o[key];
  }
  if (Object.keys(clientCorrelation).length > 0) clientConfig.correlation = clientCorrelation;

  const client = o.client;
  if (client !== undefined) {
    if (!(client instanceof IntentProofClient)) {
      throw new TypeError(`${where}: "client" must be an IntentProofClient (from createIntentProofClient() or new IntentProofClient())`);
    }
    const conflict = Object.keys(clientConfig)[0];
    if (conflict !== undefined) {
      const field = conflict === "correlation" ? `correlation.${Object.keys(clientCorrelation)[0]}` : conflict;
      throw new TypeError(`${where}: "client" cannot be combined with "${field}"; configure the client you pass instead`);
    }
  } else {
    checkClientConfig(clientConfig as IntentProofConfig, where);
  }

  return Object.freeze({
    clientConfig: clientConfig as IntentProofConfig,
    client,
    ownsClient: client === undefined,
    isGlobal: optionalBoolean(o.isGlobal, "isGlobal", where) ?? true,
    echoHeader: optionalBoolean(echoHeader, "correlation.echoHeader", where) ?? true,
    mountMiddleware: optionalBoolean(o.mountMiddleware, "mountMiddleware", where) ?? true,
    exclude: Object.freeze(validateExclude(o.exclude, where)),
  });
}

/** Creates the module's client, or adopts the one the user passed in. */
export function clientForSettings(settings: ModuleSettings): IntentProofClient {
  return settings.client ?? new IntentProofClient(settings.clientConfig);
}
