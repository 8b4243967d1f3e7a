// Child process: ns per call of the plain workload, the same function wrapped
// by an IntentProof client (sync and async), and inside an OpenTelemetry span.
// Variants are interleaved over rounds (rotating which goes first) and the
// median per variant is reported, so drift in CPU frequency or GC pressure
// hits every variant alike. Prints one JSON line.
import { parseArgs } from "node:util";
import { trace } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { createIntentProofClient, MemoryExporter } from "intentproof";
import { createRefund, createRefundAsync, inputs, INPUT_MASK, WRAP_OPTIONS } from "./workload.mjs";
import { median, rotate } from "../lib/stats.mjs";

const { values: flags } = parseArgs({
  options: {
    iterations: { type: "string", default: "200000" },
    rounds: { type: "string", default: "7" },
    warmup: { type: "string", default: "50000" },
  },
});
const ITERATIONS = Number(flags.iterations);
const ROUNDS = Number(flags.rounds);
const WARMUP = Number(flags.warmup);
// Async calls cost more (microtask hops); fewer keep the round time similar.
const ASYNC_ITERATIONS = Math.max(1000, Math.floor(ITERATIONS / 2));

const memory = new MemoryExporter({ maxEvents: 1000 });
const client = createIntentProofClient({ exporters: [memory] });
const wrapped = client.wrap(WRAP_OPTIONS, createRefund);
const wrappedAsync = client.wrap(WRAP_OPTIONS, createRefundAsync);

const spans = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
// Not registered globally: the tracer is used directly, as an app holding it would.
const tracer = provider.getTracer("intentproof-bench");
// The usual manual-instrumentation shape: a span carrying the call's key inputs.
function traced(input) {
  const span = tracer.startSpan(WRAP_OPTIONS.action, {
    attributes: { "order.id": input.orderId, "refund.amount_cents": input.amountCents },
  });
  try {
    return createRefund(input);
  } finally {
    span.end();
  }
}

const hrtime = process.hrtime.bigint;
// Every result feeds this sink, printed at the end, so no call can be dropped as dead code.
let sink = 0;

// Sync calls run in batches with a turn of the event loop in between, as in a
// server between requests: work a library defers (OTel's SimpleSpanProcessor
// exports through promises and timers) then runs, inside the timed region,
// instead of piling up for the whole loop. The OTel in-memory exporter is
// emptied at each turn so it holds at most one batch, like MemoryExporter(1000).
const BATCH = 1000;
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

// One batch function per variant (not one loop taking a callback), so each
// call site stays monomorphic the way it would be in an app.
function batchPlain(from) {
  let acc = 0;
  for (let i = from; i < from + BATCH; i++) {
    const r = createRefund(inputs[i & INPUT_MASK]);
    acc += r.amountCents + r.refundId.length;
  }
  return acc;
}

function batchWrapped(from) {
  let acc = 0;
  for (let i = from; i < from + BATCH; i++) {
    const r = wrapped(inputs[i & INPUT_MASK]);
    acc += r.amountCents + r.refundId.length;
  }
  return acc;
}

function batchOtel(from) {
  let acc = 0;
  for (let i = from; i < from + BATCH; i++) {
    const r = traced(inputs[i & INPUT_MASK]);
    acc += r.amountCents + r.refundId.length;
  }
  return acc;
}

async function batchPlainAsync(from) {
  let acc = 0;
  for (let i = from; i < from + BATCH; i++) {
    const r = await createRefundAsync(inputs[i & INPUT_MASK]);
    acc += r.amountCents + r.refundId.length;
  }
  return acc;
}

async function batchWrappedAsync(from) {
  let acc = 0;
  for (let i = from; i < from + BATCH; i++) {
    const r = await wrappedAsync(inputs[i & INPUT_MASK]);
    acc += r.amountCents + r.refundId.length;
  }
  return acc;
}

/** ns per call over `n` calls (rounded up to whole batches), event-loop turns included. */
async function timed(batch, n) {
  const batches = Math.max(1, Math.ceil(n / BATCH));
  let acc = 0;
  const t0 = hrtime();
  for (let b = 0; b < batches; b++) {
    acc += await batch(b * BATCH);
    spans.reset();
    await nextTurn();
  }
  const t1 = hrtime();
  sink += acc;
  return Number(t1 - t0) / (batches * BATCH);
}

const variants = [
  { name: "plain", batch: batchPlain, n: ITERATIONS },
  { name: "wrapped", batch: batchWrapped, n: ITERATIONS },
  { name: "otelSpan", batch: batchOtel, n: ITERATIONS },
  { name: "plainAsync", batch: batchPlainAsync, n: ASYNC_ITERATIONS },
  { name: "wrappedAsync", batch: batchWrappedAsync, n: ASYNC_ITERATIONS },
];

for (const variant of variants) await timed(variant.batch, WARMUP);

const samples = Object.fromEntries(variants.map((v) => [v.name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const variant of rotate(variants, round)) {
    samples[variant.name].push(await timed(variant.batch, variant.n));
  }
}

// Sanity: the wrapped variants really recorded (the ring buffer is full).
const recorded = memory.size;
const lastEvent = memory.getEvents().at(-1);

console.log(
  JSON.stringify({
    iterations: ITERATIONS,
    asyncIterations: ASYNC_ITERATIONS,
    rounds: ROUNDS,
    samples,
    medians: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)])),
    recorded,
    lastEventStatus: lastEvent?.status,
    sink,
  }),
);
