import { Module } from "@nestjs/common";
import { MemoryExporter } from "intentproof";
import { IntentProofModule } from "intentproof/nestjs";
import { PlainRefundsController, PlainRefundsService } from "./plain-refunds.js";

export const memory = new MemoryExporter();

/** IntentProof mounted (the correlation middleware), route not decorated. */
@Module({
  imports: [IntentProofModule.forRoot({ exporters: [memory] })],
  controllers: [PlainRefundsController],
  providers: [PlainRefundsService],
})
export class AppModule {}
