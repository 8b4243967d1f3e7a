/**
 * Public types of the core entry. The event shape follows the IntentProof
 * ExecutionEvent v1 schema (`spec/schema/execution_event.v1.schema.json`).
 */

import type { PolicyMonitorSettings } from "./extensions/policy-monitor.js";
import type { Policy } from "./extensions/policy-documents.js";

/** Any value that survives `JSON.stringify` unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A flat attribute value, as the spec allows it. */
export type AttributeValue = string | number | boolean | null;

/** Flat key/value metadata; keys match `^[A-Za-z0-9_.:-]{1,256}$`. */
export type Attributes = Record<string, AttributeValue>;

/** The structured failure of an execution. */
export interface ExecutionError {
  name: string;
  message: string;
  /** The stack trace, or `null` when stacks are switched off. */
  stack?: string | null;
  /** A stable machine-readable code (an error's string `code`, an HTTP status). */
  code?: string;
  /** The error's `cause`, one level deep. */
  cause?: ExecutionError;
}

/** One record per invocation of a wrapped call. */
export interface ExecutionEvent {
  id: string;
  correlationId?: string;
  intent: string;
  action: string;
  inputs: Record<string, JsonValue>;
  output?: JsonValue;
  error?: ExecutionError;
  status: "ok" | "error";
  /** RFC 3339 UTC with milliseconds. */
  startedAt: string;
  completedAt: string;
  durationMs: number;
  attributes?: Attributes;
}

/**
 * Given to an exporter's `flush()` and `shutdown()`: the client stops waiting
 * at `deadline` (epoch ms, from `shutdownTimeoutMs`), when `signal` aborts.
 * An exporter that honours it stops retrying and reports what it could not
 * deliver; one that ignores it is simply no longer waited for.
 */
export interface ExporterDrainOptions {
  readonly signal: AbortSignal;
  readonly deadline: number;
}

/**
 * Where events go. `export` may be sync or async; failures are contained.
 * Each exporter receives its own copy of the event (the last one the
 * original), so an exporter that changes its event cannot change what
 * another one receives.
 */
export interface Exporter {
  export(event: ExecutionEvent): void | Promise<void>;
  flush?(options?: ExporterDrainOptions): void | Promise<void>;
  shutdown?(options?: ExporterDrainOptions): void | Promise<void>;
}

/** An exporter in the spec's hook form: `onEvent` instead of `export`. */
export interface EventHookExporter {
  onEvent(event: ExecutionEvent): void | Promise<void>;
  flush?(options?: ExporterDrainOptions): void | Promise<void>;
  shutdown?(options?: ExporterDrainOptions): void | Promise<void>;
}

/** Either exporter form a client accepts. */
export type AnyExporter = Exporter | EventHookExporter;

/** Limits and redaction for `snapshot` and every captured value. */
export interface SerializeOptions {
  /** Nesting depth before `"[MaxDepth]"`. Default 32. */
  maxDepth?: number;
  /** Keys per object / elements per array before truncation. Default 1000. */
  maxKeys?: number;
  /** Characters per string before `"[Truncated]"`. Default 65536. */
  maxStringLength?: number;
  /**
   * Values read per snapshot (the root, then each property value, array or
   * Set element, Map value, and Map pair with its key) before every further
   * value becomes `"[MaxNodes]"` unread; values already copied are kept.
   * Bounds the whole copy, where the other limits bound one level. Default 10000.
   */
  maxNodes?: number;
  /** Keys whose values become `"[REDACTED]"`, matched case-insensitively at any depth. */
  redactKeys?: readonly string[];
}

/** How one wrapped call is recorded. */
export interface WrapOptions<TArgs extends unknown[] = unknown[], TResult = unknown> extends SerializeOptions {
  /** What the call is meant to achieve, in words. Required. */
  intent: string;
  /** The stable id of the operation, e.g. `stripe.refund.create`. Required. */
  action: string;
  /** Pins the correlation id instead of using the active one. */
  correlationId?: string;
  /** Flat attributes merged over the client's `defaultAttributes` (these win). */
  attributes?: Attributes;
  /**
   * Replaces the default snapshot of the arguments. It gets the arguments
   * themselves: return a new value, don't change them. If it throws,
   * `inputs` is `{ value: "[CaptureFailed]" }`, never the default snapshot.
   */
  captureInput?: (args: TArgs) => unknown;
  /** `false`: `output` is `null`; a function: its result is the `output` (`"[CaptureFailed]"` if it throws). */
  captureOutput?: boolean | ((result: Awaited<TResult>) => unknown);
  /** A function: its result becomes `output` on an error event (`"[CaptureFailed]"` if it throws). `error` is always set. */
  captureError?: boolean | ((error: unknown) => unknown);
  /** `false`: `inputs` is `{}`. */
  captureInputs?: boolean;
  /** `false`: `error.stack` is `null`. */
  includeErrorStack?: boolean;
  /** Spec alias of `includeErrorStack`. */
  captureStack?: boolean;
  /** `false`: do not inherit the active correlation id. Default `true`. */
  propagateCorrelation?: boolean;
  /**
   * How long `flush()`/`shutdown()` wait for this call's export promises
   * (`0`: the client's `exporterTimeoutMs`). The caller never waits for exporters.
   */
  exporterTimeoutMs?: number;
}

/** The seed form of `wrap`: options and the function in one object. */
export type WrapOptionsWithFn<TArgs extends unknown[], TResult> = WrapOptions<TArgs, TResult> & {
  fn: (...args: TArgs) => TResult;
};

/** Options applied under every wrap of a client (call site wins). */
export type DefaultWrapOptions = Partial<Omit<WrapOptions, "intent" | "action" | "correlationId">> & {
  intent?: string;
  action?: string;
};

export interface CorrelationConfig {
  /** Inbound/outbound HTTP header. Default `x-intentproof-correlation-id`. */
  headerName?: string;
  /** Generate a UUID v4 when no correlation is active. Default `true`. */
  generateOnMissing?: boolean;
}

export interface IntentProofConfig {
  /** Default: one `MemoryExporter`. */
  exporters?: AnyExporter[];
  /**
   * Called once per failed export (a throw, a rejection, or a promise still
   * pending after `exporterTimeoutMs` when `flush()` runs). `event` is absent
   * when an exporter's `flush()`/`shutdown()` failed. Default: one line on stderr.
   */
  onExporterError?: (error: unknown, event?: ExecutionEvent) => void;
  /** How long `flush()` waits for one export promise before reporting it. Default 10000. */
  exporterTimeoutMs?: number;
  /**
   * The most `flush()` and `shutdown()` wait, in all, before returning. What
   * is still undelivered then is reported to `onExporterError` as dropped
   * (an `ExporterTimeoutError` with code `"SHUTDOWN_TIMEOUT"`). Default 5000.
   */
  shutdownTimeoutMs?: number;
  defaultAttributes?: Attributes;
  /** Default `true`. */
  includeErrorStack?: boolean;
  correlation?: CorrelationConfig;
  serialization?: SerializeOptions;
  defaultWrapOptions?: DefaultWrapOptions;
  /**
   * Check every flow (the events of one correlation) against these
   * `intentproof.policy.v1` policies while the service runs: a flow monitor
   * is appended to the exporters; it closes a flow after `policyMonitor.idleMs`
   * without events (or at `shutdown()`) and reports each run to
   * `policyMonitor.onRun`, off the caller's path.
   */
  policies?: readonly Policy[];
  /** How the monitor of `policies` closes flows, bounds memory and reports runs. Needs `policies`. */
  policyMonitor?: PolicyMonitorSettings;
}

/** One exporter of the spec's declarative config document. */
export interface ExporterDocument {
  /** `"console"`: JSON lines on stdout; `"http"`: an `HttpExporter`; `"custom"`: `exporter` given inline. */
  type: "console" | "http" | "otel" | "custom";
  /** The collector URL of an `"http"` exporter. */
  endpoint?: string;
  /** Extra request headers of an `"http"` exporter. */
  headers?: Record<string, string>;
  /** Accepted for the spec; intentproof always fails open (exporter failures never reach the caller). */
  failOpen?: boolean;
  /** The exporter object of a `"custom"` entry (in-code documents only). */
  exporter?: AnyExporter;
}

/**
 * The spec's declarative configuration (`intentproof_config.v1`), e.g. read
 * from a JSON file. Recognised by its `version` field.
 */
export interface IntentProofConfigDocument {
  version: 1;
  defaultWrapOptions?: DefaultWrapOptions;
  exporters?: ExporterDocument[];
  correlation?: CorrelationConfig;
  serialization?: Pick<SerializeOptions, "maxDepth" | "maxStringLength" | "redactKeys">;
}
