import { Module } from "@nestjs/common";
import { PlainRefundsController, PlainRefundsService } from "./plain-refunds.js";

/** Nest without IntentProof: the baseline. */
@Module({ controllers: [PlainRefundsController], providers: [PlainRefundsService] })
export class AppModule {}

export const memory = undefined;
