import { Body, Controller, HttpException, Post, Query } from "@nestjs/common";
import { CorrelationId, IntentProof } from "intentproof/nestjs";
import { receiptSkipped } from "../../shared/refund-policy.js";
import { checkRefundRequest } from "../../shared/refund-request.js";
import { RefundsService, type RefundResult } from "./refunds.service.js";

@Controller("refunds")
export class RefundsController {
  constructor(private readonly refunds: RefundsService) {}

  /**
   * Support approves a refund for an order: one record here, one per step below, one correlation id.
   * `?skipReceipt=1` leaves the receipt out, the incomplete flow the refund policy reports.
   */
  @Post()
  @IntentProof({
    intent: "Approve a refund for an order",
    action: "refunds.approve",
    attributes: { step: "approve_refund" },
    // The first argument is the request body; the correlation id is on the record already.
    captureInput: ([body]) => body,
  })
  async approve(
    @Body() body: unknown,
    @CorrelationId() correlationId: string,
    @Query() query: unknown,
  ): Promise<RefundResult & { correlationId: string }> {
    const check = checkRefundRequest(body);
    if (!check.ok) throw new HttpException({ message: check.message }, check.status);
    return { ...(await this.refunds.carryOut(check.approval, check.order, { skipReceipt: receiptSkipped(query) })), correlationId };
  }
}
