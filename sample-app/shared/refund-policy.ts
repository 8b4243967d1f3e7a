/**
 * The app's completeness policy: `policies/refund-with-notification.v1.json`,
 * the spec's reference policy `reference.payments.refund-with-notification.v1`
 * adapted to this app's tenant and action names (see docs/sample-app.md).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parsePolicy, type Policy } from "intentproof";

// Compiled to sample-app/dist/shared/, two levels below sample-app/.
export const REFUND_POLICY_FILE = fileURLToPath(new URL("../../policies/refund-with-notification.v1.json", import.meta.url));

export function loadRefundPolicy(): Policy {
  return parsePolicy(JSON.parse(readFileSync(REFUND_POLICY_FILE, "utf8")), REFUND_POLICY_FILE);
}

/** `POST /refunds?skipReceipt=1` carries out the refund but sends no receipt: the flow the policy catches. */
export function receiptSkipped(query: unknown): boolean {
  const value = (query as { skipReceipt?: unknown } | null)?.skipReceipt;
  return value === "1" || value === "true";
}
