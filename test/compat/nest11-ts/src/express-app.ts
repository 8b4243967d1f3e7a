// `import = require` compiles under every module setting here without esModuleInterop.
import express = require("express");
import { createIntentProofClient, type IntentProofClient } from "intentproof";
import { intentproof, recordRoute } from "intentproof/express";
import { records } from "./records";

export const expressClient: IntentProofClient = createIntentProofClient({
  exporters: [records],
  defaultAttributes: { service: "nest11-ts-express" },
});

const lookUpOrder = expressClient.wrap(
  { intent: "Look up the order", action: "orders.get" },
  async (orderId: string) => ({ orderId, amountCents: 700 }),
);

export function createExpressApp(): express.Express {
  const app = express();
  app.use(intentproof({ client: expressClient }));
  app.get(
    "/orders/:orderId",
    recordRoute({ intent: "Show an order", action: "orders.show" }, async (req, res) => {
      res.json(await lookUpOrder(String(req.params.orderId)));
    }),
  );
  return app;
}
