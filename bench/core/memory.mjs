// Child process (run with --expose-gc): heap after a forced GC at a checkpoint
// and at the end of many sync wrapped calls. With a MemoryExporter of 1000
// events the heap must stay flat: nothing per call may be retained.
import { parseArgs } from "node:util";
import { createIntentProofClient, MemoryExporter } from "intentproof";
import { createRefund, inputs, INPUT_MASK, WRAP_OPTIONS } from "./workload.mjs";

const { values: flags } = parseArgs({
  options: {
    calls: { type: "string", default: "1000000" },
    checkpoint: { type: "string", default: "100000" },
  },
});
const CALLS = Number(flags.calls);
const CHECKPOINT = Number(flags.checkpoint);

if (typeof globalThis.gc !== "function") throw new Error("run with --expose-gc");

function heapAfterGc() {
  // Twice: the first pass can leave objects for finalization that a second frees.
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

const memory = new MemoryExporter({ maxEvents: 1000 });
const client = createIntentProofClient({ exporters: [memory] });
const wrapped = client.wrap(WRAP_OPTIONS, createRefund);

let sink = 0;
function calls(from, to) {
  for (let i = from; i < to; i++) sink += wrapped(inputs[i & INPUT_MASK]).amountCents;
}

const heapStart = heapAfterGc();
const t0 = process.hrtime.bigint();
calls(0, CHECKPOINT);
const t1 = process.hrtime.bigint();
const heapAtCheckpoint = heapAfterGc();
const t2 = process.hrtime.bigint();
calls(CHECKPOINT, CALLS);
const t3 = process.hrtime.bigint();
const heapAtEnd = heapAfterGc();

console.log(
  JSON.stringify({
    calls: CALLS,
    checkpoint: CHECKPOINT,
    heapStart,
    heapAtCheckpoint,
    heapAtEnd,
    growthBytes: heapAtEnd - heapAtCheckpoint,
    eventsKept: memory.size,
    nsPerCall: Number(t3 - t2) / (CALLS - CHECKPOINT),
    firstPhaseNsPerCall: Number(t1 - t0) / CHECKPOINT,
    sink,
  }),
);
