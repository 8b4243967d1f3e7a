/**
 * Errors the HttpExporter hands to `onError`. Messages are built from status
 * codes and error codes only: never from header values, request bodies or the
 * URL (whose query string may carry a key).
 */

/** Machine-readable `code` of an {@link HttpExporterError}. */
export type HttpExporterErrorCode =
  /** The collector answered outside 2xx; see `statusCode`. */
  | "ERR_HTTP_STATUS"
  /** No answer within `timeoutMs`; the request was destroyed. */
  | "ETIMEDOUT"
  /** A custom `body(event)` threw or returned something unsendable. */
  | "ERR_BODY_HOOK"
  /** The event could not be turned into JSON; a reduced envelope was sent. */
  | "ERR_EVENT_SERIALIZE"
  /** `export` was called after `shutdown()`; the event was not sent. */
  | "ERR_EXPORTER_SHUT_DOWN"
  /** The deadline of `flush()`/`shutdown()` passed: the request was aborted and the event dropped. */
  | "ERR_DEADLINE"
  /** A network-level failure: the socket error's own code (`ECONNREFUSED`, …) or `ERR_NETWORK`. */
  | (string & {});

/** An export failure reported to `HttpExporterOptions.onError`. */
export class HttpExporterError extends Error {
  override readonly name = "HttpExporterError";
  readonly code: HttpExporterErrorCode;
  /** The collector's HTTP status, for `ERR_HTTP_STATUS`. */
  readonly statusCode?: number;

  constructor(message: string, code: HttpExporterErrorCode, statusCode?: number) {
    super(`HttpExporter: ${message}`);
    this.code = code;
    if (statusCode !== undefined) this.statusCode = statusCode;
  }
}

export function statusError(statusCode: number): HttpExporterError {
  return new HttpExporterError(`collector answered ${statusCode}`, "ERR_HTTP_STATUS", statusCode);
}

export function timeoutError(timeoutMs: number): HttpExporterError {
  return new HttpExporterError(`request timed out after ${timeoutMs} ms`, "ETIMEDOUT");
}

/** Keeps only the socket error's code: its message could echo anything. */
export function networkError(error: unknown): HttpExporterError {
  let code: unknown;
  try {
    code = (error as { code?: unknown } | null)?.code;
  } catch {
    code = undefined;
  }
  const safeCode = typeof code === "string" && /^[A-Z0-9_]{1,64}$/.test(code) ? code : "ERR_NETWORK";
  return new HttpExporterError(safeCode === "ERR_NETWORK" ? "network error" : safeCode, safeCode);
}

/** `cause` is what the user's own hook threw, kept for debugging. */
export function bodyHookError(cause: unknown): HttpExporterError {
  const error = new HttpExporterError("body(event) failed; sent the default envelope instead", "ERR_BODY_HOOK");
  Object.defineProperty(error, "cause", { value: cause, configurable: true, writable: true });
  return error;
}

export function serializeError(): HttpExporterError {
  return new HttpExporterError("event could not be serialized; sent a reduced envelope", "ERR_EVENT_SERIALIZE");
}

export function shutDownError(): HttpExporterError {
  return new HttpExporterError("shut down; event not sent", "ERR_EXPORTER_SHUT_DOWN");
}

export function deadlineError(): HttpExporterError {
  return new HttpExporterError("flush/shutdown deadline passed; request aborted, event dropped", "ERR_DEADLINE");
}
