import { Injectable } from "@nestjs/common";
import type { Order } from "../../shared/orders.js";
import type { RefundApproval } from "../../shared/refund-request.js";
import { NotificationsService } from "../notifications/notifications.service.js";
import { PaymentsService } from "../payments/payments.service.js";

export interface RefundResult {
  orderId: string;
  refundId: string;
  status: string;
  amountCents: number;
  /** `null` when the receipt was skipped on purpose (`?skipReceipt=1`). */
  receipt: { messageId: string; status: string } | null;
}

/**
 * Carries out an approved refund: money back first, then the receipt. Not
 * recorded itself: the steps it calls are, under the request's correlation id.
 */
@Injectable()
export class RefundsService {
  constructor(
    private readonly payments: PaymentsService,
    private readonly notifications: NotificationsService,
  ) {}

  async carryOut(approval: RefundApproval, order: Order, options: { skipReceipt?: boolean } = {}): Promise<RefundResult> {
    const refund = await this.payments.refund({
      paymentIntentId: order.paymentIntentId,
      amountCents: approval.amountCents,
      reason: approval.reason,
      metadata: { orderId: order.orderId },
    });
    const receipt = options.skipReceipt
      ? null
      : await this.notifications.sendRefundReceipt(
          { customerId: order.customerId, orderId: order.orderId, refundId: refund.id, amountCents: refund.amount },
          order.email,
        );
    return { orderId: order.orderId, refundId: refund.id, status: refund.status, amountCents: refund.amount, receipt };
  }
}
