import { mergeAttributes } from "./attributes.js";
import type { ResolvedConfig } from "./config.js";
import { resolveSerializeOptions, type ResolvedSerializeOptions } from "./snapshot.js";
import type { Attributes } from "./types.js";
import { toWrapSpec, type WrapSpec } from "./wrap-options.js";

/** Everything one call needs, resolved once per wrap site and client configuration. */
export interface ResolvedWrap {
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
 * A validated wrap site. Client defaults can change later through
 * `configure`, so the merge with them is cached per configuration object and
 * redone only when the configuration changes.
 */
export class WrapPlan {
  private cachedConfig: ResolvedConfig | undefined;
  private cached: ResolvedWrap | undefined;

  constructor(readonly spec: WrapSpec) {}

  resolve(config: ResolvedConfig): ResolvedWrap {
    if (config !== this.cachedConfig || this.cached === undefined) {
      this.cached = resolveWrap(this.spec, config);
      this.cachedConfig = config;
    }
    return this.cached;
  }
}

function resolveWrap(spec: WrapSpec, config: ResolvedConfig): ResolvedWrap {
  const defaults = config.defaultWrap;
  const ownAttributes = mergeAttributes(defaults?.attributes, spec.attributes);
  const serialization =
    defaults?.serialization || spec.serialization
      ? resolveSerializeOptions(
          { ...defaults?.serialization, ...spec.serialization },
          "intentproof: wrap options",
          config.serialization,
        )
      : config.serialization;
  return Object.freeze({
    // Labels are required on the wrap itself; defaults only fill in for manual executions.
    intent: (spec.intent ?? defaults?.intent) as string,
    action: (spec.action ?? defaults?.action) as string,
    correlationId: spec.correlationId,
    ownAttributes,
    eventAttributes: mergeAttributes(config.defaultAttributes, ownAttributes),
    captureInput: spec.captureInput ?? defaults?.captureInput,
    captureOutput: spec.captureOutput ?? defaults?.captureOutput ?? true,
    captureError: spec.captureError ?? defaults?.captureError ?? true,
    captureInputs: spec.captureInputs ?? defaults?.captureInputs ?? true,
    includeErrorStack: spec.includeErrorStack ?? defaults?.includeErrorStack ?? config.includeErrorStack,
    propagateCorrelation: spec.propagateCorrelation ?? defaults?.propagateCorrelation ?? true,
    generateOnMissing: config.generateOnMissing,
    exporterTimeoutMs: spec.exporterTimeoutMs ?? defaults?.exporterTimeoutMs ?? config.exporterTimeoutMs,
    serialization,
  });
}

/** Validates wrap options (TypeError naming the field) and prepares them for repeated use. */
export function prepareWrap(options: unknown, where: string): WrapPlan {
  return new WrapPlan(toWrapSpec(options, where, true));
}
