/** The request body of POST /refunds in every bench app. */
export interface RefundInput {
  orderId: string;
  amountCents: number;
}

export interface Refund {
  refundId: string;
  amountCents: number;
}

export function refundFor(input: RefundInput): Refund {
  return { refundId: `rf_${input.orderId}`, amountCents: input.amountCents };
}
