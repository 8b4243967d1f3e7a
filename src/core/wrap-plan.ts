import { mergeAttributes } from "./attributes.js";
import type { ResolvedConfig } from "./config.js";
import { resolveSerializeOptions, type ResolvedSerializeOptions } from "./snapshot.js";
import type { Attributes } from "./types.js";
import { checkWrapOptions, type CheckedWrapOptions } from "./wrap-options.js";

/**
 * The one form a wrapped call reads: a wrap site's options merged with the
 * client's configuration, computed once per wrap site and configuration.
 */
export interface ResolvedWrap {
  /** The configuration this was merged with: exporters, error hook, pending exports. */
  readonly config: ResolvedConfig;
  readonly intent: string;
  readonly action: string;
  readonly correlationId: string | undefined;
  /** The wrap's own static attributes: inherited by wraps nested inside it. */
  readonly ownAttributes: Readonly<Attributes> | undefined;
  /** Client defaults merged under the wrap's own attributes. */
  readonly eventAttributes: Readonly<Attributes> | undefined;
  readonly captureInput: ((args: unknown[]) => unknown) | undefined;
  readonly captureOutput: boolean | ((result: unknown) => unknown);
  readonly captureError: boolean | ((error: unknown) => unknown);
  readonly captureInputs: boolean;
  readonly includeErrorStack: boolean;
  readonly propagateCorrelation: boolean;
  readonly generateOnMissing: boolean;
  readonly exporterTimeoutMs: number;
  readonly serialization: ResolvedSerializeOptions;
}

/**
 * A validated wrap site. `configure` may change the client's defaults later,
 * so the merge with them is cached per configuration object and redone only
 * when the configuration changes.
 */
export class WrapPlan {
  private cachedConfig: ResolvedConfig | undefined;
  private cached: ResolvedWrap | undefined;

  constructor(
    readonly options: CheckedWrapOptions,
    private readonly owner: string,
  ) {}

  resolve(config: ResolvedConfig): ResolvedWrap {
    if (config === this.cachedConfig) return this.cached!;
    this.cached = resolveWrap(this.options, config, this.owner);
    this.cachedConfig = config;
    return this.cached;
  }
}

function resolveWrap(site: CheckedWrapOptions, config: ResolvedConfig, owner: string): ResolvedWrap {
  const defaults = config.defaultWrap;
  const ownAttributes = mergeAttributes(defaults?.attributes, site.attributes);
  const serialization =
    defaults?.serialization || site.serialization
      ? resolveSerializeOptions({ ...defaults?.serialization, ...site.serialization }, owner, config.serialization)
      : config.serialization;
  return Object.freeze({
    config,
    // Labels are required on the wrap itself; defaults only fill in for manual executions.
    intent: (site.intent ?? defaults?.intent) as string,
    action: (site.action ?? defaults?.action) as string,
    correlationId: site.correlationId,
    ownAttributes,
    eventAttributes: mergeAttributes(config.defaultAttributes, ownAttributes),
    captureInput: site.captureInput ?? defaults?.captureInput,
    captureOutput: site.captureOutput ?? defaults?.captureOutput ?? true,
    captureError: site.captureError ?? defaults?.captureError ?? true,
    captureInputs: site.captureInputs ?? defaults?.captureInputs ?? true,
    includeErrorStack: site.includeErrorStack ?? defaults?.includeErrorStack ?? config.includeErrorStack,
    propagateCorrelation: site.propagateCorrelation ?? defaults?.propagateCorrelation ?? true,
    generateOnMissing: config.generateOnMissing,
    exporterTimeoutMs: site.exporterTimeoutMs ?? defaults?.exporterTimeoutMs ?? config.exporterTimeoutMs,
    serialization,
  }) as ResolvedWrap;
}

/** Validates wrap options (TypeError naming `owner` and the field) and prepares them for repeated use. */
export function prepareWrap(options: unknown, owner: string): WrapPlan {
  return new WrapPlan(checkWrapOptions(options, owner, true), owner);
}
