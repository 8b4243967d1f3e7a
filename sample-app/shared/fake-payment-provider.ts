/**
 * A stand-in for a card payment provider (Stripe-shaped objects, no network).
 * It answers after a short simulated latency so the proof page shows real
 * durations, and it returns more fields than the records should keep: the
 * sample's `captureInput`/`captureOutput` hooks trim them to ids and amounts.
 */
import { randomBytes } from "node:crypto";

export interface RefundRequest {
  paymentIntentId: string;
  amountCents: number;
  reason: RefundReason;
  /** Sent to the provider, deliberately left out of the record. */
  metadata: Record<string, string>;
}

export type RefundReason = "requested_by_customer" | "duplicate" | "fraudulent";

/** What the provider answers for a refund (a subset of Stripe's refund object). */
export interface ProviderRefund {
  id: string;
  object: "refund";
  amount: number;
  currency: string;
  payment_intent: string;
  reason: RefundReason;
  status: "succeeded";
  balance_transaction: string;
  created: number;
  metadata: Record<string, string>;
}

export interface ProviderCapture {
  id: string;
  object: "payment_intent";
  amount_received: number;
  currency: string;
  status: "succeeded";
  latest_charge: string;
}

/** The provider's refusal of a card, with Stripe's machine-readable code. */
export class CardDeclinedError extends Error {
  override readonly name = "CardDeclinedError";
  readonly code = "card_declined";
  constructor(readonly paymentIntentId: string) {
    super("Your card was declined.");
  }
}

export class PaymentIntentNotFoundError extends Error {
  override readonly name = "PaymentIntentNotFoundError";
  readonly code = "resource_missing";
  constructor(readonly paymentIntentId: string) {
    super(`No such payment intent: ${paymentIntentId}`);
  }
}

interface PaymentIntent {
  amountCents: number;
  currency: string;
  cardDeclines: boolean;
}

/** The payment intents the demo knows; see `orders.ts` for the orders they belong to. */
const PAYMENT_INTENTS: ReadonlyMap<string, PaymentIntent> = new Map([
  ["pi_1042_paid", { amountCents: 4999, currency: "usd", cardDeclines: false }],
  ["pi_2077_authorized", { amountCents: 12900, currency: "usd", cardDeclines: false }],
  ["pi_3110_card_declined", { amountCents: 2500, currency: "usd", cardDeclines: true }],
]);

/** Payment intent id whose card the fake provider always declines. */
export const DECLINED_PAYMENT_INTENT = "pi_3110_card_declined";

function providerId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString("hex")}`;
}

function latency(minMs: number, maxMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, minMs + Math.random() * (maxMs - minMs)));
}

export class FakePaymentProvider {
  async createRefund(request: RefundRequest): Promise<ProviderRefund> {
    await latency(20, 60);
    const intent = this.intent(request.paymentIntentId);
    return {
      id: providerId("re"),
      object: "refund",
      amount: request.amountCents,
      currency: intent.currency,
      payment_intent: request.paymentIntentId,
      reason: request.reason,
      status: "succeeded",
      balance_transaction: providerId("txn"),
      created: Math.floor(Date.now() / 1000),
      metadata: request.metadata,
    };
  }

  async capturePaymentIntent(paymentIntentId: string): Promise<ProviderCapture> {
    await latency(20, 60);
    const intent = this.intent(paymentIntentId);
    if (intent.cardDeclines) throw new CardDeclinedError(paymentIntentId);
    return {
      id: paymentIntentId,
      object: "payment_intent",
      amount_received: intent.amountCents,
      currency: intent.currency,
      status: "succeeded",
      latest_charge: providerId("ch"),
    };
  }

  private intent(paymentIntentId: string): PaymentIntent {
    const intent = PAYMENT_INTENTS.get(paymentIntentId);
    if (intent === undefined) throw new PaymentIntentNotFoundError(paymentIntentId);
    return intent;
  }
}
