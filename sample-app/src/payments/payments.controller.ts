import { Controller, HttpCode, HttpException, HttpStatus, NotFoundException, Param, Post } from "@nestjs/common";
import { IntentProof } from "intentproof/nestjs";
import { CardDeclinedError, PaymentIntentNotFoundError } from "../../shared/fake-payment-provider.js";
import { PaymentsService } from "./payments.service.js";

@Controller("payments")
export class PaymentsController {
  constructor(private readonly payments: PaymentsService) {}

  @Post(":paymentIntentId/capture")
  @HttpCode(HttpStatus.OK)
  @IntentProof({
    intent: "Capture a card payment for an order",
    action: "payments.capture",
    attributes: { step: "capture_payment" },
    captureInput: ([paymentIntentId]) => ({ paymentIntentId }),
  })
  async capture(@Param("paymentIntentId") paymentIntentId: string) {
    try {
      const capture = await this.payments.capture(paymentIntentId);
      return { paymentIntentId: capture.id, status: capture.status, amountCents: capture.amount_received };
    } catch (error) {
      // Translated here, inside the recorded handler, so the handler's record
      // carries the HTTP outcome (HttpException, code "402").
      if (error instanceof CardDeclinedError) {
        throw new HttpException({ code: error.code, message: error.message }, HttpStatus.PAYMENT_REQUIRED);
      }
      if (error instanceof PaymentIntentNotFoundError) throw new NotFoundException(error.message);
      throw error;
    }
  }
}
