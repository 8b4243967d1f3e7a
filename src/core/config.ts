import { validateAttributes, isPlainObject } from "./attributes.js";
import { DEFAULT_CORRELATION_HEADER } from "./correlation-header.js";
import { logExporterError } from "./exporter-error-log.js";
import { DEFAULT_SERIALIZE_OPTIONS, resolveSerializeOptions, type ResolvedSerializeOptions } from "./snapshot.js";
import type { Attributes, ExecutionEvent, Exporter, IntentProofConfig } from "./types.js";
import { toDefaultWrapSpec, type WrapSpec } from "./wrap-options.js";

/** How long `flush()` waits for one exporter promise before reporting it as timed out. */
export const DEFAULT_EXPORTER_TIMEOUT_MS = 10_000;

/** A client's configuration after validation; replaced whole by `configure`. */
export interface ResolvedConfig {
  readonly exporters: readonly Exporter[];
  readonly onExporterError: (error: unknown, event: ExecutionEvent | undefined) => void;
  readonly defaultAttributes: Readonly<Attributes> | undefined;
  readonly includeErrorStack: boolean;
  readonly headerName: string;
  readonly generateOnMissing: boolean;
  readonly serialization: ResolvedSerializeOptions;
  readonly defaultWrap: WrapSpec | undefined;
  readonly exporterTimeoutMs: number;
}

const KNOWN_FIELDS = new Set([
  "exporters",
  "onExporterError",
  "defaultAttributes",
  "includeErrorStack",
  "correlation",
  "serialization",
  "defaultWrapOptions",
  "exporterTimeoutMs",
]);

const WHERE = "intentproof: config";

function validateExporters(value: unknown): Exporter[] {
  if (!Array.isArray(value)) throw new TypeError(`${WHERE}: "exporters" must be an array of exporters`);
  value.forEach((exporter, index) => {
    if (exporter === null || typeof exporter !== "object" || typeof (exporter as Exporter).export !== "function") {
      throw new TypeError(`${WHERE}: "exporters[${index}]" has no export() method`);
    }
    for (const optional of ["flush", "shutdown"] as const) {
      const hook = (exporter as Exporter)[optional];
      if (hook !== undefined && typeof hook !== "function") {
        throw new TypeError(`${WHERE}: "exporters[${index}].${optional}" must be a function when present`);
      }
    }
  });
  return [...value];
}

/**
 * Validates `config` and merges it over `base` (fields that are absent keep
 * their previous value). Throws a TypeError naming the bad field and changes
 * nothing in that case.
 */
export function resolveConfig(
  config: IntentProofConfig | undefined,
  base: ResolvedConfig | undefined,
  defaultExporters: () => Exporter[],
): ResolvedConfig {
  if (config !== undefined && (config === null || typeof config !== "object" || Array.isArray(config))) {
    throw new TypeError(`${WHERE}: expected an object`);
  }
  const c = (config ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(c)) {
    if (!KNOWN_FIELDS.has(key)) throw new TypeError(`${WHERE}: unknown field "${key}"`);
  }
  if (c.onExporterError !== undefined && typeof c.onExporterError !== "function") {
    throw new TypeError(`${WHERE}: "onExporterError" must be a function`);
  }
  if (c.includeErrorStack !== undefined && typeof c.includeErrorStack !== "boolean") {
    throw new TypeError(`${WHERE}: "includeErrorStack" must be a boolean`);
  }
  const correlation = c.correlation as Record<string, unknown> | undefined;
  if (correlation !== undefined && !isPlainObject(correlation)) {
    throw new TypeError(`${WHERE}: "correlation" must be an object`);
  }
  const headerName = correlation?.headerName;
  if (headerName !== undefined && (typeof headerName !== "string" || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(headerName))) {
    throw new TypeError(`${WHERE}: "correlation.headerName" must be a valid HTTP header name`);
  }
  const generateOnMissing = correlation?.generateOnMissing;
  if (generateOnMissing !== undefined && typeof generateOnMissing !== "boolean") {
    throw new TypeError(`${WHERE}: "correlation.generateOnMissing" must be a boolean`);
  }
  const serialization = c.serialization;
  if (serialization !== undefined && !isPlainObject(serialization)) {
    throw new TypeError(`${WHERE}: "serialization" must be an object`);
  }
  const timeout = c.exporterTimeoutMs;
  if (timeout !== undefined && (typeof timeout !== "number" || !Number.isFinite(timeout) || timeout <= 0)) {
    throw new TypeError(`${WHERE}: "exporterTimeoutMs" must be a positive number of milliseconds`);
  }
  return Object.freeze({
    exporters: Object.freeze(
      c.exporters !== undefined ? validateExporters(c.exporters) : (base?.exporters ?? defaultExporters()),
    ),
    onExporterError:
      (c.onExporterError as ResolvedConfig["onExporterError"] | undefined) ?? base?.onExporterError ?? logExporterError,
    defaultAttributes:
      c.defaultAttributes !== undefined
        ? validateAttributes(c.defaultAttributes, "defaultAttributes")
        : base?.defaultAttributes,
    includeErrorStack: (c.includeErrorStack as boolean | undefined) ?? base?.includeErrorStack ?? true,
    headerName: ((headerName as string | undefined) ?? base?.headerName ?? DEFAULT_CORRELATION_HEADER).toLowerCase(),
    generateOnMissing: (generateOnMissing as boolean | undefined) ?? base?.generateOnMissing ?? true,
    serialization:
      serialization !== undefined
        ? resolveSerializeOptions(serialization, "intentproof: config.serialization")
        : (base?.serialization ?? DEFAULT_SERIALIZE_OPTIONS),
    defaultWrap:
      c.defaultWrapOptions !== undefined ? toDefaultWrapSpec(c.defaultWrapOptions as never) : base?.defaultWrap,
    exporterTimeoutMs: (timeout as number | undefined) ?? base?.exporterTimeoutMs ?? DEFAULT_EXPORTER_TIMEOUT_MS,
  });
}
