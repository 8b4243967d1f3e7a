import { Body, Controller, Injectable, Module, Post } from "@nestjs/common";
import { CorrelationId, IntentProof, IntentProofModule } from "intentproof/nestjs";
import { records } from "./records";

export interface RefundRequest {
  paymentIntentId: string;
  amountCents: number;
}

@Injectable()
export class PaymentsService {
  @IntentProof({ intent: "Return captured funds to the customer", action: "stripe.refund.create" })
  async createRefund(input: RefundRequest): Promise<{ refundId: string; amountCents: number }> {
    await new Promise((resolve) => setImmediate(resolve));
    return { refundId: `re_${input.paymentIntentId}`, amountCents: input.amountCents };
  }
}

@Controller("refunds")
export class RefundsController {
  constructor(private readonly payments: PaymentsService) {}

  @Post()
  @IntentProof({ intent: "Initiate refund", action: "refunds.create" })
  async create(@Body() body: RefundRequest, @CorrelationId() correlationId: string) {
    const refund = await this.payments.createRefund(body);
    return { ...refund, correlationId };
  }
}

@Module({
  imports: [IntentProofModule.forRoot({ exporters: [records], defaultAttributes: { service: "nest11-ts" } })],
  controllers: [RefundsController],
  providers: [PaymentsService],
})
export class AppModule {}
