import { createIntentProofClient, MemoryExporter } from "intentproof";
import { createRefund, inputs, INPUT_MASK, WRAP_OPTIONS } from "./core/workload.mjs";
const client = createIntentProofClient({ exporters: [new MemoryExporter({ maxEvents: 1000 })] });
const w = client.wrap(WRAP_OPTIONS, createRefund);
let acc = 0;
const t0 = process.hrtime.bigint();
for (let i = 0; i < 2_000_000; i++) acc += w(inputs[i & INPUT_MASK]).amountCents;
console.log(Number(process.hrtime.bigint() - t0) / 2e6, acc);
