/**
 * The billing steps of the Express variant, recorded with `client.wrap`:
 * the same records the Nest variant's decorated services produce.
 */
import type { IntentProofClient } from "intentproof";
import { FakeMailer } from "../shared/fake-mailer.js";
import { FakePaymentProvider, type RefundRequest } from "../shared/fake-payment-provider.js";

export interface RefundReceipt {
  customerId: string;
  orderId: string;
  refundId: string;
  amountCents: number;
}

export function createBilling(client: IntentProofClient) {
  const provider = new FakePaymentProvider();
  const mailer = new FakeMailer();

  const refundPayment = client.wrap(
    {
      intent: "Return captured funds to the customer",
      action: "stripe.refund.create",
      attributes: { vendor: "stripe", step: "refund_money" },
      captureInput: ([request]) => ({
        paymentIntentId: request.paymentIntentId,
        amountCents: request.amountCents,
        reason: request.reason,
      }),
      captureOutput: (refund) => ({ refundId: refund.id, status: refund.status, amountCents: refund.amount }),
    },
    (request: RefundRequest) => provider.createRefund(request),
  );

  const sendRefundReceipt = client.wrap(
    {
      intent: "Send the customer a receipt for their refund",
      action: "email.customer.refund_receipt",
      attributes: { channel: "email", step: "notify_customer" },
      captureInput: ([receipt]) => receipt,
    },
    (receipt: RefundReceipt, emailAddress: string) =>
      mailer.send({ to: emailAddress, template: "refund-receipt", data: { ...receipt } }),
  );

  const capturePayment = client.wrap(
    {
      intent: "Capture authorized funds",
      action: "stripe.payment_intent.capture",
      attributes: { vendor: "stripe", step: "capture_funds" },
      captureInput: ([paymentIntentId]) => ({ paymentIntentId }),
      captureOutput: (capture) => ({
        paymentIntentId: capture.id,
        status: capture.status,
        amountCents: capture.amount_received,
      }),
      captureError: (error) => ({ code: (error as { code?: string }).code ?? "unknown", retryable: false }),
    },
    (paymentIntentId: string) => provider.capturePaymentIntent(paymentIntentId),
  );

  return { refundPayment, sendRefundReceipt, capturePayment };
}
