import { Body, Controller, Injectable, Post } from "@nestjs/common";
import { IntentProof } from "intentproof/nestjs";
import { refundFor, type Refund, type RefundInput } from "./refund.js";

@Injectable()
export class RecordedRefundsService {
  @IntentProof({ intent: "Return captured funds to the customer", action: "payments.refund" })
  async createRefund(input: RefundInput): Promise<Refund> {
    return refundFor(input);
  }
}

@Controller("refunds")
export class RecordedRefundsController {
  constructor(private readonly refunds: RecordedRefundsService) {}

  @Post()
  @IntentProof({ intent: "Initiate refund", action: "refunds.create" })
  create(@Body() body: RefundInput): Promise<Refund> {
    return this.refunds.createRefund(body);
  }
}
