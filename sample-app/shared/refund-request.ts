/**
 * The body of `POST /refunds`, checked by hand so the sample needs no
 * validation library. Both variants (Nest and Express) use it.
 */
import type { RefundReason } from "./fake-payment-provider.js";
import { findOrder, type Order } from "./orders.js";

export interface RefundApproval {
  orderId: string;
  amountCents: number;
  reason: RefundReason;
}

export type RefundCheck =
  | { ok: true; approval: RefundApproval; order: Order }
  | { ok: false; status: 400 | 404; message: string };

const REASONS: readonly RefundReason[] = ["requested_by_customer", "duplicate", "fraudulent"];

export function checkRefundRequest(body: unknown): RefundCheck {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return { ok: false, status: 400, message: "expected a JSON object body" };
  }
  const { orderId, amountCents, reason } = body as Record<string, unknown>;
  if (typeof orderId !== "string" || orderId.trim() === "") {
    return { ok: false, status: 400, message: '"orderId" must be a non-empty string' };
  }
  const order = findOrder(orderId.trim());
  if (order === undefined) return { ok: false, status: 404, message: `unknown order ${JSON.stringify(orderId)}` };
  const amount = amountCents ?? order.amountCents;
  if (typeof amount !== "number" || !Number.isInteger(amount) || amount < 1 || amount > order.amountCents) {
    return { ok: false, status: 400, message: `"amountCents" must be an integer from 1 to ${order.amountCents}` };
  }
  const why = reason ?? "requested_by_customer";
  if (!REASONS.includes(why as RefundReason)) {
    return { ok: false, status: 400, message: `"reason" must be one of ${REASONS.join(", ")}` };
  }
  return { ok: true, order, approval: { orderId: order.orderId, amountCents: amount, reason: why as RefundReason } };
}
