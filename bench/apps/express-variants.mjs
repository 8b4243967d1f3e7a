// The Express 5 apps of the HTTP bench, one per variant:
//   bare        express.json() + a POST route calling a plain service function
//   middleware  the same + app.use(intentproof({ client }))
//   recorded    the same + the route wrapped in recordRoute(), calling one wrapped service
//   als         bare + a middleware entering an AsyncLocalStorage scope and
//               setting one response header: the floor any async-context
//               correlation pays on this Node version (reference, no IntentProof)
//   next        bare + a middleware that only calls next(): what one more
//               layer of Express's router costs (reference, no IntentProof)
//   wrapped-call   middleware + a plain route calling one wrapped service
//   route-only     middleware + recordRoute around a route calling a plain service
//               (these two split "recorded" into its parts)
//   hand-recorded
//               bare + a hand-written recorder making the recorded variant's
//               two events (ids, clocks, shallow copies of inputs and outputs,
//               the HTTP attributes, the last 1,000 kept) with none of the
//               package's checks, limits or guards: a floor for what
//               recording this route costs on this Node (reference, no IntentProof)
//   spin5       bare + a middleware that runs 5 µs of plain JavaScript, timed
//               in a tight loop when the app is built: a control showing whether added
//               work is measured at its own cost under load (no IntentProof)
//   wrapped-calls-2, wrapped-calls-4
//               middleware + a plain route calling the wrapped service 2 or 4
//               times in turn: what the calls after a request's first cost
//   recorded-keep-1
//               recorded, but its MemoryExporter keeps 1 event instead of
//               1,000: what keeping events costs the collector
//   (these three are not in `npm run bench`: name them with --variants in
//   bench/one-process.mjs, bench/instructions.mjs or the profilers)
import express from "express";

const body = (input) => ({ refundId: `rf_${input.orderId}`, amountCents: input.amountCents });
async function createRefund(input) {
  return body(input);
}

const plainRoute = async (req, res) => {
  res.status(201).json(await createRefund(req.body));
};

// The variants that record: how many times the route calls the wrapped
// service (0: the plain one), whether recordRoute wraps the route, and how
// many events the MemoryExporter keeps.
const RECORDING_VARIANTS = {
  middleware: { wrappedCalls: 0, routed: false, maxEvents: 1000 },
  "wrapped-call": { wrappedCalls: 1, routed: false, maxEvents: 1000 },
  "wrapped-calls-2": { wrappedCalls: 2, routed: false, maxEvents: 1000 },
  "wrapped-calls-4": { wrappedCalls: 4, routed: false, maxEvents: 1000 },
  "route-only": { wrappedCalls: 0, routed: true, maxEvents: 1000 },
  recorded: { wrappedCalls: 1, routed: true, maxEvents: 1000 },
  "recorded-keep-1": { wrappedCalls: 1, routed: true, maxEvents: 1 },
};

// The control's busy loop: integer arithmetic only, no allocation, so it
// costs the same in a tight loop and in a server.
let spinState = 1;
function spin(iterations) {
  let x = spinState;
  for (let i = 0; i < iterations; i++) x = (x * 1103515245 + 12345) % 2147483648;
  spinState = x;
}
// Timed once, when the control is first built, so other variants do not pay for it.
let spinIterationsPerUs;
function spinIterationsPerUsOnce() {
  if (spinIterationsPerUs === undefined) {
    for (let i = 0; i < 5; i++) spin(1e6);
    const iterations = 2e7;
    const started = process.hrtime.bigint();
    spin(iterations);
    spinIterationsPerUs = iterations / (Number(process.hrtime.bigint() - started) / 1000);
  }
  return spinIterationsPerUs;
}

/** The variant's app, and the MemoryExporter it records into (if it records). */
export async function buildApp(variant) {
  const app = express();
  app.use(express.json());
  let memory;
  if (variant === "bare") {
    app.post("/refunds", plainRoute);
  } else if (variant === "als") {
    const { AsyncLocalStorage } = await import("node:async_hooks");
    const { randomUUID } = await import("node:crypto");
    const store = new AsyncLocalStorage();
    app.use((req, res, next) => {
      const id = randomUUID();
      res.setHeader("x-request-id", id);
      store.run({ id }, next);
    });
    app.post("/refunds", plainRoute);
  } else if (variant === "hand-recorded") {
    const { handKept, handRecordedApp } = await import("./hand-recorder.mjs");
    handRecordedApp(app, createRefund);
    memory = handKept;
  } else if (variant === "next") {
    app.use((req, res, next) => next());
    app.post("/refunds", plainRoute);
  } else if (variant === "spin5") {
    const iterations = Math.round(spinIterationsPerUsOnce() * 5);
    app.use((req, res, next) => {
      spin(iterations);
      next();
    });
    app.post("/refunds", plainRoute);
  } else if (Object.hasOwn(RECORDING_VARIANTS, variant)) {
    const { wrappedCalls, routed, maxEvents } = RECORDING_VARIANTS[variant];
    const { createIntentProofClient, MemoryExporter } = await import("intentproof");
    const { intentproof, recordRoute } = await import("intentproof/express");
    memory = new MemoryExporter({ maxEvents });
    const client = createIntentProofClient({ exporters: [memory] });
    app.use(intentproof({ client }));
    const service =
      wrappedCalls > 0
        ? client.wrap({ intent: "Return captured funds to the customer", action: "payments.refund" }, createRefund)
        : createRefund;
    // One call keeps the route the earlier runs measured; the loop is only
    // for the variants that call the service more than once.
    const handler =
      wrappedCalls > 1
        ? async (req, res) => {
            let refund;
            for (let i = 0; i < wrappedCalls; i++) refund = await service(req.body);
            res.status(201).json(refund);
          }
        : async (req, res) => {
            res.status(201).json(await service(req.body));
          };
    app.post("/refunds", routed ? recordRoute({ intent: "Initiate refund", action: "refunds.create" }, handler) : handler);
  } else {
    throw new Error(`unknown express variant ${variant}`);
  }
  return { app, memory };
}
