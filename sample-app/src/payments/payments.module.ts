import { Module } from "@nestjs/common";
import { FakePaymentProvider } from "../../shared/fake-payment-provider.js";
import { PaymentsController } from "./payments.controller.js";
import { PaymentsService } from "./payments.service.js";

@Module({
  controllers: [PaymentsController],
  providers: [PaymentsService, FakePaymentProvider],
  exports: [PaymentsService],
})
export class PaymentsModule {}
