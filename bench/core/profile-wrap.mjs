// Child process for `node --cpu-prof`: one million sync wrapped calls of the
// workload (MemoryExporter of 1000), to see where a wrapped call's time goes.
import { createIntentProofClient, MemoryExporter } from "intentproof";
import { createRefund, inputs, INPUT_MASK, WRAP_OPTIONS } from "./workload.mjs";

const calls = Number(process.argv[2] ?? 1_000_000);
const client = createIntentProofClient({ exporters: [new MemoryExporter({ maxEvents: 1000 })] });
const wrapped = client.wrap(WRAP_OPTIONS, createRefund);
let sink = 0;
const t0 = process.hrtime.bigint();
for (let i = 0; i < calls; i++) sink += wrapped(inputs[i & INPUT_MASK]).amountCents;
const t1 = process.hrtime.bigint();
console.log(JSON.stringify({ calls, nsPerCall: Number(t1 - t0) / calls, sink }));
