import { Module } from "@nestjs/common";
import { FakeMailer } from "../../shared/fake-mailer.js";
import { NotificationsService } from "./notifications.service.js";

@Module({
  providers: [NotificationsService, FakeMailer],
  exports: [NotificationsService],
})
export class NotificationsModule {}
