import { Module } from "@nestjs/common";
import { TelemetryModule } from "../telemetry/telemetry.module.js";
import { ProofPageController } from "./proof-page.controller.js";

@Module({
  imports: [TelemetryModule],
  controllers: [ProofPageController],
})
export class ProofPageModule {}
