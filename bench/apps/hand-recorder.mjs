// The bench's floor for recording a route: the same two events the recorded
// variants make (the route's event, with its HTTP attributes, and one
// service call's), with the request's correlation id, written by hand for
// this one route. No option, no validation, no size limit, no guard against
// a throwing getter or a failing call, no snapshot deeper than one level:
// what any recorder of these records must at least do per request. Not
// IntentProof code. Used by the Express apps (express-variants.mjs) and the
// Nest app (nest/hand-recorded.module.ts).
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";

const store = new AsyncLocalStorage();
const KEPT = 1000;
const kept = new Array(KEPT).fill(null);
let keptCount = 0;

function keep(event) {
  kept[keptCount++ % KEPT] = event;
}

/** The kept events, read like a MemoryExporter by the bench's queries (app-ipc.mjs). */
export const handKept = {
  get size() {
    return Math.min(keptCount, KEPT);
  },
  getEvents() {
    const start = keptCount > KEPT ? keptCount % KEPT : 0;
    const size = this.size;
    return Array.from({ length: size }, (_, i) => kept[(start + i) % KEPT]);
  },
};

let isoMs = -1;
let isoString = "";
function iso(ms) {
  if (ms !== isoMs) {
    isoMs = ms;
    isoString = new Date(ms).toISOString();
  }
  return isoString;
}

// The spec wants completedAt − startedAt within 1 ms of durationMs; the wall
// and monotonic clocks are read apart, so a reading that disagrees is replaced.
function completedMs(startedMs, durationMs) {
  const nowMs = Date.now();
  return Math.abs(nowMs - startedMs - durationMs) <= 1 ? nowMs : startedMs + Math.round(durationMs);
}

function event(intent, action, correlationId, inputs, output, startedMs, started) {
  const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
  return {
    id: randomUUID(),
    correlationId,
    intent,
    action,
    inputs,
    output,
    status: "ok",
    startedAt: iso(startedMs),
    completedAt: iso(completedMs(startedMs, durationMs)),
    durationMs,
  };
}

/** The correlation middleware: a fresh id, echoed, and the rest of the request run with it. */
export function handCorrelation(req, res, next) {
  const id = randomUUID();
  res.setHeader("x-intentproof-correlation-id", id);
  store.run(id, next);
}

/** `fn` (one argument, async) recording one event per call. */
export function handRecordedService(intent, action, fn) {
  return async function (input) {
    const startedMs = Date.now();
    const started = performance.now();
    const inputs = { 0: { ...input } };
    const result = await fn.call(this, input);
    keep(event(intent, action, store.getStore(), inputs, { ...result }, startedMs, started));
    return result;
  };
}

/**
 * Records one request to `route`: `handle()` resolves with the body to send;
 * the event is kept when the response has closed.
 */
export async function handRecordedRequest(req, res, route, intent, action, inputs, handle) {
  const startedMs = Date.now();
  const started = performance.now();
  const correlationId = store.getStore();
  let output = null;
  res.on("close", () => {
    const recorded = event(intent, action, correlationId, inputs, output, startedMs, started);
    recorded.attributes = { "http.method": req.method, "http.route": route, "http.status_code": res.statusCode };
    keep(recorded);
  });
  const body = await handle();
  output = { ...body };
  return body;
}

/** The Express variant: the correlation middleware, then the route calling `createRefund` recorded. */
export function handRecordedApp(app, createRefund) {
  const service = handRecordedService("Return captured funds to the customer", "payments.refund", createRefund);
  app.use(handCorrelation);
  app.post("/refunds", async (req, res) => {
    const inputs = { body: { ...req.body } };
    const refund = await handRecordedRequest(req, res, "/refunds", "Initiate refund", "refunds.create", inputs, () => service(req.body));
    res.status(201).json(refund);
  });
}
