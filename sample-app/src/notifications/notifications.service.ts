import { Injectable } from "@nestjs/common";
import { IntentProof } from "intentproof/nestjs";
import { FakeMailer, type MailReceipt } from "../../shared/fake-mailer.js";

export interface RefundReceipt {
  customerId: string;
  orderId: string;
  refundId: string;
  amountCents: number;
}

@Injectable()
export class NotificationsService {
  constructor(private readonly mailer: FakeMailer) {}

  @IntentProof({
    intent: "Send the customer a receipt for their refund",
    action: "email.customer.refund_receipt",
    attributes: { channel: "email", step: "notify_customer" },
    // The receipt's fields are the record's inputs; the e-mail address is left out.
    captureInput: ([receipt]) => receipt,
  })
  sendRefundReceipt(receipt: RefundReceipt, emailAddress: string): Promise<MailReceipt> {
    return this.mailer.send({ to: emailAddress, template: "refund-receipt", data: { ...receipt } });
  }
}
