import type { AddressInfo } from "node:net";
import { createIntentProofClient } from "intentproof";
import { exportersFromEnv } from "../shared/exporters-from-env.js";
import { flowIdleMsFromEnv, FlowRuns } from "../shared/flow-runs.js";
import { loadRefundPolicy } from "../shared/refund-policy.js";
import { HOST, portFromEnv, startupBanner, startupFailure } from "../shared/startup.js";
import { createApp } from "./app.js";

const sinks = exportersFromEnv(process.env, "sample-app/data/express-events.jsonl");
const runs = new FlowRuns(loadRefundPolicy(), flowIdleMsFromEnv(process.env));
const client = createIntentProofClient({
  exporters: sinks.all,
  // Each refund flow is checked against the refund policy once idle; the proof page shows the runs.
  policies: [runs.policy],
  policyMonitor: runs.monitorSettings(),
  defaultAttributes: { service: "billing-api", env: process.env.NODE_ENV || "development" },
  includeErrorStack: false,
});

const port = portFromEnv(process.env, 3001);
// Express 5 calls back with the listen error, if any (e.g. the port is taken).
const server = createApp(client, sinks, runs).listen(port, HOST, (error?: Error) => {
  if (error) {
    console.error(startupFailure(error, port));
    process.exit(1);
  }
  const bound = (server.address() as AddressInfo).port;
  process.stdout.write(startupBanner("Express", `http://${HOST}:${bound}`, sinks));
});

// Stop taking requests, then let the client drain its exporters (the
// collector queue, the events file) before the process ends.
function stop(): void {
  server.close();
  server.closeAllConnections();
  void client.shutdown().then(() => process.exit(0));
}
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
