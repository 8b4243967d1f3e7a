import { Module } from "@nestjs/common";
import { MemoryExporter } from "intentproof";
import { IntentProofModule } from "intentproof/nestjs";
import { RecordedRefundsController, RecordedRefundsService } from "./recorded-refunds.js";

export const memory = new MemoryExporter();

/** A decorated handler calling one decorated service method: two events per request. */
@Module({
  imports: [IntentProofModule.forRoot({ exporters: [memory] })],
  controllers: [RecordedRefundsController],
  providers: [RecordedRefundsService],
})
export class AppModule {}
