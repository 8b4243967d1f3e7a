// Express 5 apps for the HTTP bench, one per variant named by argv[2]:
//   bare        express.json() + a POST route calling a plain service function
//   middleware  the same + app.use(intentproof({ client }))
//   recorded    the same + the route wrapped in recordRoute(), calling one wrapped service
//   als         bare + a middleware entering an AsyncLocalStorage scope and
//               setting one response header: the floor any async-context
//               correlation pays on this Node version (reference, no IntentProof)
//   next        bare + a middleware that only calls next(): what one more
//               layer of Express's router costs (reference, no IntentProof)
// argv[2] may name several variants ("bare,recorded"): each gets its own app
// (its own request and response prototypes, its own client) on its own port,
// in this one process. Reports its ports over IPC once listening, then
// answers the bench's queries (../http/app-ipc.mjs).
import express from "express";
import { answerBenchQueries } from "../http/app-ipc.mjs";

const body = (input) => ({ refundId: `rf_${input.orderId}`, amountCents: input.amountCents });
async function createRefund(input) {
  return body(input);
}

/** The variant's app, and the MemoryExporter it records into (if it records). */
async function buildApp(variant) {
  const app = express();
  app.use(express.json());
  let memory;
  if (variant === "bare") {
    app.post("/refunds", async (req, res) => {
      res.status(201).json(await createRefund(req.body));
    });
  } else if (variant === "als") {
    const { AsyncLocalStorage } = await import("node:async_hooks");
    const { randomUUID } = await import("node:crypto");
    const store = new AsyncLocalStorage();
    app.use((req, res, next) => {
      const id = randomUUID();
      res.setHeader("x-request-id", id);
      store.run({ id }, next);
    });
    app.post("/refunds", async (req, res) => {
      res.status(201).json(await createRefund(req.body));
    });
  } else if (variant === "next") {
    app.use((req, res, next) => next());
    app.post("/refunds", async (req, res) => {
      res.status(201).json(await createRefund(req.body));
    });
  } else if (variant === "middleware" || variant === "recorded") {
    const { createIntentProofClient, MemoryExporter } = await import("intentproof");
    const { intentproof, recordRoute } = await import("intentproof/express");
    memory = new MemoryExporter({ maxEvents: 1000 });
    const client = createIntentProofClient({ exporters: [memory] });
    app.use(intentproof({ client }));
    if (variant === "middleware") {
      app.post("/refunds", async (req, res) => {
        res.status(201).json(await createRefund(req.body));
      });
    } else {
      const recordedRefund = client.wrap(
        { intent: "Return captured funds to the customer", action: "payments.refund" },
        createRefund,
      );
      app.post(
        "/refunds",
        recordRoute({ intent: "Initiate refund", action: "refunds.create" }, async (req, res) => {
          res.status(201).json(await recordedRefund(req.body));
        }),
      );
    }
  } else {
    throw new Error(`unknown express variant ${variant}`);
  }
  return { app, memory };
}

function listen(app) {
  return new Promise((resolve) => {
    const server = app.listen(0, "127.0.0.1", () => resolve(server.address().port));
  });
}

const variants = (process.argv[2] ?? "").split(",");
const ports = {};
const memories = [];
for (const variant of variants) {
  const { app, memory } = await buildApp(variant);
  if (memory !== undefined) memories.push(memory);
  ports[variant] = await listen(app);
}
answerBenchQueries(memories);
process.send({ type: "listening", port: ports[variants[0]], ports });
