import { validateAttributes } from "./attributes.js";
import { resolveSerializeOptions } from "./snapshot.js";
import type { Attributes, DefaultWrapOptions, SerializeOptions, WrapOptions } from "./types.js";

/** WrapOptions after validation: what one wrap site asks for, before client defaults. */
export interface WrapSpec {
  readonly intent?: string;
  readonly action?: string;
  readonly correlationId?: string;
  readonly attributes?: Readonly<Attributes>;
  readonly captureInput?: (args: unknown[]) => unknown;
  readonly captureOutput?: boolean | ((result: unknown) => unknown);
  readonly captureError?: boolean | ((error: unknown) => unknown);
  readonly captureInputs?: boolean;
  readonly includeErrorStack?: boolean;
  readonly propagateCorrelation?: boolean;
  readonly exporterTimeoutMs?: number;
  readonly serialization?: SerializeOptions;
}

const SERIALIZE_FIELDS = ["maxDepth", "maxKeys", "maxStringLength", "maxNodes", "redactKeys"] as const;

function fail(where: string, field: string, rule: string): never {
  throw new TypeError(`${where}: "${field}" ${rule}`);
}

function optionalBoolean(options: Record<string, unknown>, field: string, where: string): boolean | undefined {
  const value = options[field];
  if (value !== undefined && typeof value !== "boolean") fail(where, field, "must be a boolean");
  return value as boolean | undefined;
}

function optionalText(options: Record<string, unknown>, field: string, where: string): string | undefined {
  const value = options[field];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.trim() === "") fail(where, field, "must be a non-empty string");
  return value.trim();
}

function booleanOrFunction<T>(options: Record<string, unknown>, field: string, where: string): boolean | T | undefined {
  const value = options[field];
  if (value !== undefined && typeof value !== "boolean" && typeof value !== "function") {
    fail(where, field, "must be a boolean or a function");
  }
  return value as boolean | T | undefined;
}

/**
 * Validates wrap options (or `defaultWrapOptions` when `requireLabels` is
 * false) and returns the normalised spec. Throws a TypeError naming the field.
 */
export function toWrapSpec(options: unknown, where: string, requireLabels: boolean): WrapSpec {
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(`${where}: options must be an object with "intent" and "action"`);
  }
  const o = options as Record<string, unknown>;
  const intent = optionalText(o, "intent", where);
  const action = optionalText(o, "action", where);
  if (requireLabels && intent === undefined) fail(where, "intent", "is required (a non-empty string)");
  if (requireLabels && action === undefined) fail(where, "action", "is required (a non-empty string)");
  const captureInput = o.captureInput;
  if (captureInput !== undefined && typeof captureInput !== "function") fail(where, "captureInput", "must be a function");
  const includeErrorStack = optionalBoolean(o, "includeErrorStack", where);
  const captureStack = optionalBoolean(o, "captureStack", where);
  if (includeErrorStack !== undefined && captureStack !== undefined && includeErrorStack !== captureStack) {
    fail(where, "captureStack", "contradicts \"includeErrorStack\" (they are aliases)");
  }
  const exporterTimeoutMs = o.exporterTimeoutMs;
  if (exporterTimeoutMs !== undefined && (typeof exporterTimeoutMs !== "number" || !(exporterTimeoutMs >= 0) || !Number.isFinite(exporterTimeoutMs))) {
    fail(where, "exporterTimeoutMs", "must be a finite number >= 0 (0 means the client default)");
  }
  let serialization: SerializeOptions | undefined;
  for (const field of SERIALIZE_FIELDS) {
    if (o[field] !== undefined) (serialization ??= {})[field] = o[field] as never;
  }
  // Validate the limits now so a bad one surfaces at wrap time, not per call.
  if (serialization) resolveSerializeOptions(serialization, where);
  return {
    intent,
    action,
    correlationId: optionalText(o, "correlationId", where),
    attributes: validateAttributes(o.attributes, "attributes"),
    captureInput: captureInput as WrapSpec["captureInput"],
    captureOutput: booleanOrFunction(o, "captureOutput", where),
    captureError: booleanOrFunction(o, "captureError", where),
    captureInputs: optionalBoolean(o, "captureInputs", where),
    includeErrorStack: includeErrorStack ?? captureStack,
    propagateCorrelation: optionalBoolean(o, "propagateCorrelation", where),
    exporterTimeoutMs: exporterTimeoutMs === 0 ? undefined : (exporterTimeoutMs as number | undefined),
    serialization,
  };
}

/** Throws a TypeError naming the first malformed field of `options`. */
export function assertWrapOptionsShape(options: unknown): asserts options is WrapOptions {
  toWrapSpec(options, "intentproof: wrap options", true);
}

/** Validates `defaultWrapOptions` of a config. */
export function toDefaultWrapSpec(options: DefaultWrapOptions | undefined): WrapSpec | undefined {
  if (options === undefined) return undefined;
  return toWrapSpec(options, "intentproof: defaultWrapOptions", false);
}
