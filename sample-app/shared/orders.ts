/**
 * The demo's order book: which customer paid for an order and with which
 * payment intent. A real billing API would read this from its database.
 */
export interface Order {
  orderId: string;
  customerId: string;
  /** Customer's e-mail address: used to send mail, never recorded. */
  email: string;
  paymentIntentId: string;
  amountCents: number;
}

const ORDERS: ReadonlyMap<string, Order> = new Map(
  [
    { orderId: "ORD-1042", customerId: "cus_8fK2Lm", email: "ada@example.com", paymentIntentId: "pi_1042_paid", amountCents: 4999 },
    { orderId: "ORD-2077", customerId: "cus_Q4nR7s", email: "grace@example.com", paymentIntentId: "pi_2077_authorized", amountCents: 12900 },
  ].map((order) => [order.orderId, order]),
);

export function findOrder(orderId: string): Order | undefined {
  return ORDERS.get(orderId);
}
