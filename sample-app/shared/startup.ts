/** Port parsing and the startup banner, shared by both variants of the app. */
import { DECLINED_PAYMENT_INTENT } from "./fake-payment-provider.js";
import type { SampleExporters } from "./exporters-from-env.js";

/** Only the loopback interface: the proof page shows business records. */
export const HOST = "127.0.0.1";

/** `PORT` from the environment (0 picks a free port), else `fallback`. */
export function portFromEnv(env: NodeJS.ProcessEnv, fallback: number): number {
  const raw = env.PORT?.trim();
  if (!raw) return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError(`PORT must be an integer from 0 to 65535, got ${JSON.stringify(env.PORT)}`);
  }
  return port;
}

/**
 * What to print when the app cannot start. A taken port is the usual first
 * stumble, so that message names the variable that picks another one.
 */
export function startupFailure(error: unknown, port: number): string {
  if ((error as { code?: unknown } | null)?.code === "EADDRINUSE") {
    return `Port ${port} on ${HOST} is already in use: set the PORT environment variable to another port (e.g. PORT=3100), or PORT=0 for any free one.`;
  }
  return String((error as { stack?: unknown } | null)?.stack ?? error);
}

export function startupBanner(variant: string, baseUrl: string, exporters: SampleExporters): string {
  const refundBody = JSON.stringify({ orderId: "ORD-1042", amountCents: 4999, reason: "requested_by_customer" });
  return [
    `IntentProof sample app (${variant}) listening on ${baseUrl}`,
    `  proof page:  ${baseUrl}/`,
    `  events file: ${exporters.file.path}`,
    `  collector:   ${exporters.collectorOrigin ?? "off (set INTENTPROOF_COLLECTOR_URL to send events to one)"}`,
    "",
    "Approve a refund (three correlated records):",
    `  curl -s -X POST ${baseUrl}/refunds -H 'content-type: application/json' -H 'x-intentproof-correlation-id: refund-demo-1' -d '${refundBody}'`,
    "Refund without sending the receipt (the refund policy reports the skipped step once the flow is idle):",
    `  curl -s -X POST '${baseUrl}/refunds?skipReceipt=1' -H 'content-type: application/json' -H 'x-intentproof-correlation-id: refund-demo-2' -d '${refundBody}'`,
    "Capture a payment whose card is declined (HTTP 402, an error record):",
    `  curl -s -X POST ${baseUrl}/payments/${DECLINED_PAYMENT_INTENT}/capture`,
    `Then open ${baseUrl}/?correlationId=refund-demo-1`,
    "",
  ].join("\n");
}
