// Child process for `node --cpu-prof`: one million wrapped calls (sync or async) of the
// workload (MemoryExporter of 1000), to see where a wrapped call's time goes.
import { createIntentProofClient, MemoryExporter } from "intentproof";
import { createRefund, createRefundAsync, inputs, INPUT_MASK, WRAP_OPTIONS } from "./workload.mjs";

// Usage: node --cpu-prof profile-wrap.mjs [calls] [sync|async]
const calls = Number(process.argv[2] ?? 1_000_000);
const mode = process.argv[3] ?? "sync";
const client = createIntentProofClient({ exporters: [new MemoryExporter({ maxEvents: 1000 })] });
const wrapped = client.wrap(WRAP_OPTIONS, mode === "async" ? createRefundAsync : createRefund);
let sink = 0;
const t0 = process.hrtime.bigint();
if (mode === "async") {
  for (let i = 0; i < calls; i++) sink += (await wrapped(inputs[i & INPUT_MASK])).amountCents;
} else {
  for (let i = 0; i < calls; i++) sink += wrapped(inputs[i & INPUT_MASK]).amountCents;
}
const t1 = process.hrtime.bigint();
console.log(JSON.stringify({ mode, calls, nsPerCall: Number(t1 - t0) / calls, sink }));
