import { Module } from "@nestjs/common";
import { NotificationsModule } from "../notifications/notifications.module.js";
import { PaymentsModule } from "../payments/payments.module.js";
import { RefundsController } from "./refunds.controller.js";
import { RefundsService } from "./refunds.service.js";

@Module({
  imports: [PaymentsModule, NotificationsModule],
  controllers: [RefundsController],
  providers: [RefundsService],
})
export class RefundsModule {}
