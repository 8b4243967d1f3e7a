import { Body, Controller, Injectable, Module, Post, Req } from "@nestjs/common";
import type { INestApplication } from "@nestjs/common";
import type { IncomingMessage, ServerResponse } from "node:http";
import { refundFor, type Refund, type RefundInput } from "./refund.js";

// The bench's floor for the decorated variant: its two events, hand-written
// (../hand-recorder.mjs), with no IntentProof. Two folders below bench/ both
// as source (apps/nest) and compiled (dist/nest).
type Next = (error?: unknown) => void;
const hand = (await import(new URL("../../apps/hand-recorder.mjs", import.meta.url).href)) as {
  handKept: { readonly size: number };
  handCorrelation: (req: IncomingMessage, res: ServerResponse, next: Next) => void;
  handRecordedService: <T>(intent: string, action: string, fn: (input: RefundInput) => Promise<T>) => (input: RefundInput) => Promise<T>;
  handRecordedRequest: <T>(
    req: IncomingMessage,
    res: ServerResponse,
    route: string,
    intent: string,
    action: string,
    inputs: object,
    handle: () => Promise<T>,
  ) => Promise<T>;
};

@Injectable()
export class HandRecordedRefundsService {
  readonly createRefund = hand.handRecordedService("Return captured funds to the customer", "payments.refund", async (input) => refundFor(input));
}

@Controller("refunds")
export class HandRecordedRefundsController {
  constructor(private readonly refunds: HandRecordedRefundsService) {}

  @Post()
  create(@Body() body: RefundInput, @Req() req: IncomingMessage & { res: ServerResponse }): Promise<Refund> {
    const inputs = { 0: { ...body } };
    return hand.handRecordedRequest(req, req.res, "/refunds", "Initiate refund", "refunds.create", inputs, () => this.refunds.createRefund(body));
  }
}

/** The hand-written recorder's route: its controller and service, its middleware mounted on the application by `prepare`. */
@Module({ controllers: [HandRecordedRefundsController], providers: [HandRecordedRefundsService] })
export class AppModule {}

/** Mounted on the application itself, as IntentProofModule mounts its middleware on Express. */
export function prepare(app: INestApplication): void {
  app.use(hand.handCorrelation);
}

export const memory = hand.handKept;
