import { Injectable } from "@nestjs/common";
import { IntentProof } from "intentproof/nestjs";
import {
  FakePaymentProvider,
  type ProviderCapture,
  type ProviderRefund,
  type RefundRequest,
} from "../../shared/fake-payment-provider.js";

/** The provider's error code, for the record; `unknown` when it gave none. */
function providerErrorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "unknown";
}

/**
 * Talks to the payment provider. Each call is recorded with only what
 * finance needs (ids and amounts): the hooks below trim the provider's
 * request and answer before they reach the record.
 */
@Injectable()
export class PaymentsService {
  constructor(private readonly provider: FakePaymentProvider) {}

  @IntentProof({
    intent: "Return captured funds to the customer",
    action: "stripe.refund.create",
    attributes: { vendor: "stripe", step: "refund_money" },
    captureInput: ([request]) => {
      const { paymentIntentId, amountCents, reason } = request as RefundRequest;
      return { paymentIntentId, amountCents, reason };
    },
    captureOutput: (result) => {
      const refund = result as ProviderRefund;
      return { refundId: refund.id, status: refund.status, amountCents: refund.amount };
    },
  })
  refund(request: RefundRequest): Promise<ProviderRefund> {
    return this.provider.createRefund(request);
  }

  @IntentProof({
    intent: "Capture authorized funds",
    action: "stripe.payment_intent.capture",
    attributes: { vendor: "stripe", step: "capture_funds" },
    captureInput: ([paymentIntentId]) => ({ paymentIntentId }),
    captureOutput: (result) => {
      const capture = result as ProviderCapture;
      return { paymentIntentId: capture.id, status: capture.status, amountCents: capture.amount_received };
    },
    // On failure the record keeps the provider's code and whether a retry could help.
    captureError: (error) => ({ code: providerErrorCode(error), retryable: false }),
  })
  capture(paymentIntentId: string): Promise<ProviderCapture> {
    return this.provider.capturePaymentIntent(paymentIntentId);
  }
}
