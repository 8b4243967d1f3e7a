import { validateAttributes } from "./attributes.js";
import { configFromDocument, isConfigDocument } from "./config-document.js";
import { DEFAULT_CORRELATION_HEADER } from "./http/correlation-header.js";
import { isHeaderName } from "./http/header-name.js";
import { logExporterError } from "./exporter-error-log.js";
import { describeValue, OptionsReader, optionError } from "./options/options-reader.js";
import { POLICY_MONITOR_FIELDS, policyMonitorFactory } from "./extensions/policy-monitor.js";
import { PendingExports, type ExporterErrorReporter } from "./pending-exports.js";
import { userCopy, eventSharing } from "./shared-event.js";
import { DEFAULT_SERIALIZE_OPTIONS, resolveSerializeOptions, type ResolvedSerializeOptions } from "./snapshot.js";
import type { AnyExporter, Attributes, ExecutionEvent, IntentProofConfig, IntentProofConfigDocument } from "./types.js";
import { checkWrapOptions, type CheckedWrapOptions } from "./wrap-options.js";

/** How long `flush()` waits for one exporter promise before reporting it as timed out. */
export const DEFAULT_EXPORTER_TIMEOUT_MS = 10_000;

/**
 * The most `flush()`/`shutdown()` wait in all. Well under the 30 s grace
 * period orchestrators give a stopping process, leaving it time to close.
 */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5_000;

/** The owner named in config errors unless a caller (the Nest module) names its own. */
export const CONFIG_OWNER = "intentproof: config";

/** A client's configuration after validation; replaced whole by `configure`. Not part of the public API. */
export interface ResolvedConfig {
  readonly exporters: readonly AnyExporter[];
  /**
   * Per exporter, whether it is handed the event object itself or a copy of
   * its own (shared-event.ts): the package's exporters share the original.
   */
  readonly sharesEvent: readonly boolean[];
  readonly onExporterError: (error: unknown, event: ExecutionEvent | undefined) => void;
  /** `onExporterError` guarded: the hook is user code too, and its failure must reach nobody. */
  readonly reportExporterError: ExporterErrorReporter;
  /** Export promises still settling; shared by every configuration of one client. */
  readonly pendingExports: PendingExports;
  readonly defaultAttributes: Readonly<Attributes> | undefined;
  readonly includeErrorStack: boolean;
  readonly headerName: string;
  readonly generateOnMissing: boolean;
  readonly serialization: ResolvedSerializeOptions;
  readonly defaultWrap: CheckedWrapOptions | undefined;
  readonly exporterTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  /** The flow monitor the `policies` option created; also the last of `exporters`. */
  readonly policyMonitor: AnyExporter | undefined;
}

/** The fields of `IntentProofConfig`; integrations that embed a client config read the same list. */
export const CONFIG_FIELDS = [
  "exporters",
  "onExporterError",
  "defaultAttributes",
  "includeErrorStack",
  "correlation",
  "serialization",
  "defaultWrapOptions",
  "exporterTimeoutMs",
  "shutdownTimeoutMs",
  "policies",
  "policyMonitor",
] as const;
export const CORRELATION_FIELDS = ["headerName", "generateOnMissing"] as const;
/** The config fields that hold an options object of their own. */
const NESTED_OPTION_FIELDS = ["correlation", "serialization", "defaultWrapOptions", "policyMonitor"] as const;

function checkExporter(exporter: unknown, field: string, owner: string): AnyExporter {
  if (
    exporter === null ||
    typeof exporter !== "object" ||
    (typeof (exporter as { export?: unknown }).export !== "function" &&
      typeof (exporter as { onEvent?: unknown }).onEvent !== "function")
  ) {
    throw new TypeError(`${owner}: "${field}" has no export() method (nor the spec's onEvent())`);
  }
  for (const optional of ["flush", "shutdown"] as const) {
    const hook = (exporter as AnyExporter)[optional];
    if (hook !== undefined && typeof hook !== "function") {
      throw new TypeError(`${owner}: "${field}.${optional}" must be a function when present`);
    }
  }
  return exporter as AnyExporter;
}

function guardedReporter(hook: ResolvedConfig["onExporterError"]): ExporterErrorReporter {
  // A user's hook gets a copy of the event: the one reported may be the
  // object the package's exporters share. The default log only reads its id.
  const copies = hook !== logExporterError;
  return (error, event) => {
    try {
      hook(error, copies ? userCopy(event) : event);
    } catch {
      // The error hook is user code too; its failure must not reach the caller.
    }
  };
}

/**
 * `policies` and `policyMonitor`, checked now through the policy layer's
 * factory; returns how to create the monitor, or undefined without `policies`.
 */
function readPolicies(
  reader: OptionsReader,
  owner: string,
  reportExporterError: ExporterErrorReporter,
): (() => AnyExporter) | undefined {
  if (!reader.has("policies")) {
    if (reader.has("policyMonitor")) reader.fail("policyMonitor", 'needs "policies" (the policies the monitor checks flows against)', false);
    return undefined;
  }
  const settings = reader.nested("policyMonitor", POLICY_MONITOR_FIELDS);
  return policyMonitorFactory(owner)(reader.raw("policies"), settings, (error) => reportExporterError(error, undefined));
}

/**
 * Validates `config` (a programmatic `IntentProofConfig`, or the spec's
 * `intentproof_config.v1` document, recognised by its `version`) and merges
 * it over `base`: absent fields keep their previous value. Throws a TypeError
 * naming `owner` and the bad field, and changes nothing in that case.
 */
export function resolveConfig(
  config: IntentProofConfig | IntentProofConfigDocument | undefined,
  base: ResolvedConfig | undefined,
  defaultExporters: () => AnyExporter[],
  owner: string = CONFIG_OWNER,
): ResolvedConfig {
  if (config !== undefined && (config === null || typeof config !== "object" || Array.isArray(config))) {
    throw new TypeError(`${owner}: expected an object, got ${describeValue(config)}`);
  }
  const programmatic = isConfigDocument(config) ? configFromDocument(config, owner) : config;
  const reader = new OptionsReader(owner, programmatic, CONFIG_FIELDS);
  // A nested options object set to null is a mistake, not "no options" (the reader would take it as none).
  for (const field of NESTED_OPTION_FIELDS) {
    if (reader.raw(field) === null) reader.fail(field, "must be an object");
  }

  const exporters = reader.array("exporters", (exporter, field) => checkExporter(exporter, field, owner));
  const onExporterError = reader.function<ResolvedConfig["onExporterError"]>("onExporterError");
  const includeErrorStack = reader.boolean("includeErrorStack");
  const correlation = reader.nested("correlation", CORRELATION_FIELDS);
  const headerName = correlation.text("headerName");
  if (headerName !== undefined && !isHeaderName(headerName)) {
    correlation.fail("headerName", "must be a valid HTTP header name");
  }
  const generateOnMissing = correlation.boolean("generateOnMissing");
  if (reader.has("serialization") && (typeof reader.raw("serialization") !== "object" || Array.isArray(reader.raw("serialization")))) {
    throw optionError(owner, "serialization", "must be an object", reader.raw("serialization"));
  }
  const serialization = reader.has("serialization")
    ? resolveSerializeOptions(reader.raw("serialization") as never, `${owner}.serialization`)
    : undefined;
  const exporterTimeoutMs = reader.timeoutMs("exporterTimeoutMs");
  const shutdownTimeoutMs = reader.timeoutMs("shutdownTimeoutMs");
  const defaultWrap = reader.has("defaultWrapOptions")
    ? checkWrapOptions(reader.raw("defaultWrapOptions"), `${owner}.defaultWrapOptions`, false)
    : undefined;
  const defaultAttributes = validateAttributes(reader.raw("defaultAttributes"), "defaultAttributes", owner);

  const hook = onExporterError ?? base?.onExporterError ?? logExporterError;
  const reportExporterError = hook === base?.onExporterError ? base.reportExporterError : guardedReporter(hook);
  const createPolicyMonitor = readPolicies(reader, owner, reportExporterError);

  // Created last, once every field is valid: a rejected configuration starts no monitor.
  const policyMonitor = createPolicyMonitor?.() ?? base?.policyMonitor;
  const configured = exporters ?? base?.exporters.filter((exporter) => exporter !== base.policyMonitor) ?? defaultExporters();
  const allExporters = Object.freeze(policyMonitor === undefined ? configured : [...configured, policyMonitor]);
  return Object.freeze({
    exporters: allExporters,
    sharesEvent: eventSharing(allExporters),
    policyMonitor,
    onExporterError: hook,
    reportExporterError,
    pendingExports: base?.pendingExports ?? new PendingExports(),
    defaultAttributes: reader.has("defaultAttributes") ? defaultAttributes : base?.defaultAttributes,
    includeErrorStack: includeErrorStack ?? base?.includeErrorStack ?? true,
    headerName: (headerName ?? base?.headerName ?? DEFAULT_CORRELATION_HEADER).toLowerCase(),
    generateOnMissing: generateOnMissing ?? base?.generateOnMissing ?? true,
    serialization: serialization ?? base?.serialization ?? DEFAULT_SERIALIZE_OPTIONS,
    defaultWrap: defaultWrap ?? base?.defaultWrap,
    exporterTimeoutMs: exporterTimeoutMs ?? base?.exporterTimeoutMs ?? DEFAULT_EXPORTER_TIMEOUT_MS,
    shutdownTimeoutMs: shutdownTimeoutMs ?? base?.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS,
  });
}
