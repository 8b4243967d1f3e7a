import { Body, Controller, Injectable, Post } from "@nestjs/common";
import { refundFor, type Refund, type RefundInput } from "./refund.js";

@Injectable()
export class PlainRefundsService {
  async createRefund(input: RefundInput): Promise<Refund> {
    return refundFor(input);
  }
}

@Controller("refunds")
export class PlainRefundsController {
  constructor(private readonly refunds: PlainRefundsService) {}

  @Post()
  create(@Body() body: RefundInput): Promise<Refund> {
    return this.refunds.createRefund(body);
  }
}
