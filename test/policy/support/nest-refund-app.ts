/**
 * The refund of the reference policy refund-with-notification as a Nest
 * controller and service: `POST /refunds/:orderId` executes, records and
 * notifies; `?skipReceipt=1` leaves the notification out.
 */
import { Controller, Injectable, Param, Post, Query } from "@nestjs/common";
import { readFileSync } from "node:fs";
import { IntentProof } from "../../../src/nestjs.js";
import type { Policy } from "../../../src/policy/types.js";

/** The reference policy document, as plain JSON (not parsed by the policy layer). */
export function referenceRefundPolicy(): Policy {
  return JSON.parse(
    readFileSync(new URL("../../../spec-v1/reference-policies/payments/refund-with-notification/v1/policy.json", import.meta.url), "utf8"),
  );
}

@Injectable()
export class RefundSteps {
  @IntentProof({ intent: "Send the money back", action: "payments.refund.execute" })
  async execute(orderId: string) {
    return { orderId, refunded: true };
  }

  @IntentProof({ intent: "Record the refund in the ledger", action: "ledger.refund.record" })
  async record(orderId: string) {
    return { orderId, entry: `refund:${orderId}` };
  }

  @IntentProof({ intent: "Tell the customer", action: "customer.notify.refund" })
  async notify(orderId: string) {
    return { orderId, sent: true };
  }
}

@Controller("refunds")
export class RefundsController {
  constructor(private readonly steps: RefundSteps) {}

  @Post(":orderId")
  async refund(@Param("orderId") orderId: string, @Query("skipReceipt") skipReceipt?: string) {
    await this.steps.execute(orderId);
    await this.steps.record(orderId);
    if (skipReceipt !== "1") await this.steps.notify(orderId);
    return { orderId };
  }
}
