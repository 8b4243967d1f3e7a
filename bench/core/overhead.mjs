// Child process: ns per call of the plain workload, the same function wrapped
// by an IntentProof client (sync and async), and inside an OpenTelemetry span.
// Variants are interleaved over rounds (rotating which goes first) and the
// median per variant is reported, so drift in CPU frequency or GC pressure
// hits every variant alike. Prints one JSON line.
import { parseArgs } from "node:util";
import { AsyncLocalStorage } from "node:async_hooks";
import { ROOT_CONTEXT, context } from "@opentelemetry/api";
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import { createIntentProofClient, MemoryExporter } from "intentproof";
import { createRefund, createRefundAsync, inputs, INPUT_MASK, WRAP_OPTIONS } from "./workload.mjs";
import { median, rotate } from "../lib/stats.mjs";

const { values: flags } = parseArgs({
  options: {
    iterations: { type: "string", default: "200000" },
    rounds: { type: "string", default: "7" },
    warmup: { type: "string", default: "50000" },
    // "cpu": time by this process's CPU time (process.cpuUsage), for a loaded
    // machine where wall time also counts the time other processes ran.
    clock: { type: "string", default: "wall" },
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
// A custom (user) exporter beside a MemoryExporter gets its own deep copy of
// the event, so it cannot change what the other received: the difference to
// "wrapped" is mostly that copy. It keeps the last 1000 events, like the
// MemoryExporter.
class RingExporter {
  ring = new Array(1000);
  next = 0;
  export(event) {
    this.ring[this.next] = event;
    this.next = (this.next + 1) % this.ring.length;
  }
}
const customExporterClient = createIntentProofClient({ exporters: [new MemoryExporter({ maxEvents: 1000 }), new RingExporter()] });
const wrappedCustomExporter = customExporterClient.wrap(WRAP_OPTIONS, createRefund);
// The package's own exporters share the one event object (no copy): the
// difference to "wrapped" is the second export() alone.
const twoMemoryClient = createIntentProofClient({
  exporters: [new MemoryExporter({ maxEvents: 1000 }), new MemoryExporter({ maxEvents: 1000 })],
});
const wrappedTwoMemory = twoMemoryClient.wrap(WRAP_OPTIONS, createRefund);

// The OpenTelemetry side of the comparison, set up as a Node service would:
// an AsyncLocalStorage context manager (so nested spans find their parent,
// as nested wraps find their correlation id), a BasicTracerProvider, and a
// span processor that keeps the last 1000 ended spans in a ring, like
// MemoryExporter(1000). The context manager is the few lines of
// @opentelemetry/context-async-hooks' AsyncLocalStorage manager, written
// here to avoid one more dev dependency.
class AsyncLocalStorageContextManager {
  storage = new AsyncLocalStorage();
  active() {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }
  with(ctx, fn, thisArg, ...args) {
    return this.storage.run(ctx, fn.bind(thisArg), ...args);
  }
  bind(ctx, target) {
    return typeof target === "function" ? (...args) => this.with(ctx, target, undefined, ...args) : target;
  }
  enable() {
    return this;
  }
  disable() {
    this.storage.disable();
    return this;
  }
}

class RingSpanProcessor {
  ring = new Array(1000);
  next = 0;
  onStart() {}
  onEnd(span) {
    this.ring[this.next] = span;
    this.next = (this.next + 1) % this.ring.length;
  }
  forceFlush() {
    return Promise.resolve();
  }
  shutdown() {
    return Promise.resolve();
  }
}

context.setGlobalContextManager(new AsyncLocalStorageContextManager());
const provider = new BasicTracerProvider({ spanProcessors: [new RingSpanProcessor()] });
const tracer = provider.getTracer("intentproof-bench");
// The usual manual-instrumentation shape: an active span around the call,
// carrying the call's key inputs.
function traced(input) {
  return tracer.startActiveSpan(
    WRAP_OPTIONS.action,
    { attributes: { "order.id": input.orderId, "refund.amount_cents": input.amountCents } },
    (span) => {
      try {
        return createRefund(input);
      } finally {
        span.end();
      }
    },
  );
}

function cpuTimeNs() {
  const usage = process.cpuUsage();
  return BigInt(usage.user + usage.system) * 1000n;
}
const hrtime = flags.clock === "cpu" ? cpuTimeNs : process.hrtime.bigint;
// Every result feeds this sink, printed at the end, so no call can be dropped as dead code.
let sink = 0;

// Sync calls run in batches with a turn of the event loop in between, as in a
// server between requests: work a library defers then runs inside the timed
// region instead of piling up for the whole loop.
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

function batchWrappedCustomExporter(from) {
  let acc = 0;
  for (let i = from; i < from + BATCH; i++) {
    const r = wrappedCustomExporter(inputs[i & INPUT_MASK]);
    acc += r.amountCents + r.refundId.length;
  }
  return acc;
}

function batchWrappedTwoMemory(from) {
  let acc = 0;
  for (let i = from; i < from + BATCH; i++) {
    const r = wrappedTwoMemory(inputs[i & INPUT_MASK]);
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
    await nextTurn();
  }
  const t1 = hrtime();
  sink += acc;
  return Number(t1 - t0) / (batches * BATCH);
}

const variants = [
  { name: "plain", batch: batchPlain, n: ITERATIONS },
  { name: "wrapped", batch: batchWrapped, n: ITERATIONS },
  { name: "wrappedTwoMemory", batch: batchWrappedTwoMemory, n: ITERATIONS },
  { name: "wrappedCustomExporter", batch: batchWrappedCustomExporter, n: ITERATIONS },
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
    clock: flags.clock,
    samples,
    medians: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)])),
    recorded,
    lastEventStatus: lastEvent?.status,
    sink,
  }),
);
