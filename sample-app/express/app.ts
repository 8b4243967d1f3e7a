/**
 * The Express variant: the same refund and declined-card flows as the Nest
 * app, with `intentproof/express` for correlation and route records.
 */
import express, { type ErrorRequestHandler, type Express } from "express";
import { getCorrelationId, type IntentProofClient } from "intentproof";
import { intentproof, recordRoute } from "intentproof/express";
import { proveChains } from "../shared/chain-proof.js";
import { groupIntoChains } from "../shared/chains.js";
import type { SampleExporters } from "../shared/exporters-from-env.js";
import { CardDeclinedError, PaymentIntentNotFoundError } from "../shared/fake-payment-provider.js";
import { flowBundle, type FlowRuns } from "../shared/flow-runs.js";
import { PROOF_PAGE_ASSETS, PROOF_PAGE_HEADERS } from "../shared/proof-page-assets.js";
import { receiptSkipped } from "../shared/refund-policy.js";
import { checkRefundRequest } from "../shared/refund-request.js";
import { createBilling } from "./billing.js";

export function createApp(client: IntentProofClient, sinks: SampleExporters, runs: FlowRuns): Express {
  const billing = createBilling(client);
  const app = express();
  app.disable("x-powered-by");
  app.use(express.json());
  // Every request below runs under the caller's correlation id (or a new one),
  // echoed back in the x-intentproof-correlation-id response header.
  app.use(intentproof({ client }));

  app.post(
    "/refunds",
    recordRoute(
      { intent: "Approve a refund for an order", action: "refunds.approve", attributes: { step: "approve_refund" } },
      async (req, res) => {
        const check = checkRefundRequest(req.body);
        if (!check.ok) {
          res.status(check.status).json({ message: check.message });
          return;
        }
        const { order, approval } = check;
        const refund = await billing.refundPayment({
          paymentIntentId: order.paymentIntentId,
          amountCents: approval.amountCents,
          reason: approval.reason,
          metadata: { orderId: order.orderId },
        });
        // `?skipReceipt=1`: the incomplete flow the refund policy reports.
        const receipt = receiptSkipped(req.query)
          ? null
          : await billing.sendRefundReceipt(
              { customerId: order.customerId, orderId: order.orderId, refundId: refund.id, amountCents: refund.amount },
              order.email,
            );
        res.status(201).json({
          orderId: order.orderId,
          refundId: refund.id,
          status: refund.status,
          amountCents: refund.amount,
          receipt,
        });
      },
    ),
  );

  app.post(
    "/payments/:paymentIntentId/capture",
    recordRoute(
      { intent: "Capture a card payment for an order", action: "payments.capture", attributes: { step: "capture_payment" } },
      async (req, res) => {
        // A declined card rejects here; recordRoute records the error and hands it to the error handler below.
        const capture = await billing.capturePayment(String(req.params.paymentIntentId));
        res.json({ paymentIntentId: capture.id, status: capture.status, amountCents: capture.amount_received });
      },
    ),
  );

  // The probe of the README's third example: answers once every exporter has flushed.
  const probe = client.wrap({ intent: "HTTP test", action: "test.http" }, () => 42);
  app.post("/probe", async (_req, res) => {
    const value = probe();
    await client.flush();
    res.json({ value, correlationId: getCorrelationId() });
  });

  for (const [path, file] of PROOF_PAGE_ASSETS) {
    app.get(path, (_req, res) => {
      res.set({ ...PROOF_PAGE_HEADERS, "content-type": file.contentType }).send(file.body);
    });
  }
  app.get("/api/chains", async (req, res) => {
    const only = typeof req.query.correlationId === "string" ? req.query.correlationId.trim() : "";
    const chains = groupIntoChains(sinks.memory.getEvents(), only || undefined);
    const proof = await proveChains(sinks.evidence, chains.map((c) => c.correlationId));
    res.set("cache-control", "no-store").json({ chains, proof, runs: runs.forChains(chains) });
  });
  app.get("/api/flows/:correlationId/bundle", async (req, res) => {
    const made = await flowBundle(sinks.evidence, runs.policy, req.params.correlationId);
    if (!made.ok) {
      if (made.retryAfterSeconds !== undefined) res.set("retry-after", String(made.retryAfterSeconds));
      res.status(made.status).json({ message: made.message });
      return;
    }
    res
      .set({ "cache-control": "no-store", "content-type": made.contentType, "content-disposition": `attachment; filename="${made.fileName}"` })
      .send(made.bytes);
  });

  const paymentErrors: ErrorRequestHandler = (error, _req, res, next) => {
    if (error instanceof CardDeclinedError) res.status(402).json({ code: error.code, message: error.message });
    else if (error instanceof PaymentIntentNotFoundError) res.status(404).json({ message: error.message });
    else next(error);
  };
  app.use(paymentErrors);
  return app;
}
