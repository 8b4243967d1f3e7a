// The function every core variant calls: small and realistic (one allocation,
// one string build), so the numbers show what recording adds to a cheap call.

/** A pool of distinct inputs, indexed with `i & INPUT_MASK`, so nothing is constant-folded. */
export const INPUT_MASK = 1023;
export const inputs = Array.from({ length: INPUT_MASK + 1 }, (_, i) => ({
  orderId: `ord_${(100000 + i * 7919).toString(36)}`,
  amountCents: 500 + i,
}));

export function createRefund(input) {
  return { refundId: `rf_${input.orderId}`, amountCents: input.amountCents };
}

export async function createRefundAsync(input) {
  return { refundId: `rf_${input.orderId}`, amountCents: input.amountCents };
}

export const WRAP_OPTIONS = { intent: "Return captured funds to the customer", action: "refunds.create" };
