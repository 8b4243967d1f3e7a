/** Options of the at-least-once delivery of an evidence log (`EvidenceExporter` `ship`). */
import type { OptionsReader } from "../core/options/options-reader.js";

export interface ShipOptions {
  /** Ingest base URL; events are POSTed one per request to `<url>/v1/events`. http: or https:. */
  url: string;
  /** Extra request headers (e.g. authorization). Values are never logged. */
  headers?: Record<string, string>;
  /** Per-request timeout. Default 10000 ms. */
  timeoutMs?: number;
  /** First retry delay; doubles per failure with full jitter. Default 200 ms. */
  retryBaseMs?: number;
  /** Cap of the retry delay. Default 30000 ms. */
  retryMaxMs?: number;
  /** How long shutdown() waits for delivery to catch up before stopping (the cursor resumes it next start). Default 2000 ms. */
  drainTimeoutMs?: number;
}

export interface ResolvedShipOptions {
  endpoint: URL;
  headers: Record<string, string>;
  timeoutMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  drainTimeoutMs: number;
}

export function readShipOptions(parent: OptionsReader): ResolvedShipOptions {
  const reader: OptionsReader = parent.nested("ship", ["url", "headers", "timeoutMs", "retryBaseMs", "retryMaxMs", "drainTimeoutMs"]);
  const url = reader.text("url");
  if (url === undefined) reader.fail("url", "must be a non-empty string");
  let endpoint: URL;
  try {
    endpoint = new URL(url.replace(/\/+$/, "") + "/v1/events");
  } catch {
    reader.fail("url", "must be an absolute http(s) URL");
  }
  if (endpoint.protocol !== "http:" && endpoint.protocol !== "https:") reader.fail("url", "must be an http: or https: URL");
  return {
    endpoint,
    headers: reader.stringRecord("headers") ?? {},
    timeoutMs: reader.timeoutMs("timeoutMs", undefined, 10_000),
    retryBaseMs: reader.timeoutMs("retryBaseMs", undefined, 200),
    retryMaxMs: reader.timeoutMs("retryMaxMs", undefined, 30_000),
    drainTimeoutMs: reader.timeoutMs("drainTimeoutMs", { allowZero: true }, 2000),
  };
}
