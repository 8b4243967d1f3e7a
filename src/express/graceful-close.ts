import type { Server } from "node:http";
import { IntentProofClient } from "../core/client.js";
import { client as defaultClient } from "../core/default-client.js";
import { OptionsReader } from "../core/options/options-reader.js";
import { closeConnectionsAfterPendingResponses, settlePendingRecordings } from "./in-flight.js";

/** Options of {@link closeGracefully}. */
export interface CloseGracefullyOptions {
  /**
   * The clients whose exporters are drained once the last request has been
   * answered. Default: the singleton `client`.
   */
  clients?: readonly IntentProofClient[];
  /**
   * How long requests in flight may take to finish, in ms. After it, the
   * remaining connections are cut (those requests are recorded as aborted by
   * the client) and the exporters are drained anyway. Default 10000, well
   * under a typical orchestrator grace period of 30 s.
   */
  drainTimeoutMs?: number;
}

const OWNER = "intentproof/express: closeGracefully()";
const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;
// A keep-alive connection goes idle when its response is done; closing idle
// ones this often lets close() finish soon after the last answer.
const IDLE_SWEEP_MS = 25;
// Least time given to pending events after the server has closed.
const SETTLE_MARGIN_MS = 250;

/**
 * Shuts an HTTP server down without losing records: stops accepting
 * connections, answers the requests in flight, then drains every client's
 * exporters with `client.shutdown()`. Each response not started yet asks its
 * client to close the connection, so keep-alive traffic cannot hold the
 * server open: those of requests arriving from now on and of recorded
 * requests in flight (Node lists no other requests in flight; their
 * connections are closed once idle). A recorded route emits its event when
 * its response finishes, so when the server has closed every completed
 * request's events are in the exporters.
 *
 * ```ts
 * const server = app.listen(3000);
 * process.once("SIGTERM", () => closeGracefully(server, { clients: [client] }).then(() => process.exit(0)));
 * ```
 *
 * Options are checked when it is called: a bad one rejects with a TypeError
 * naming the field. Otherwise it never rejects.
 */
export async function closeGracefully(server: Server, options?: CloseGracefullyOptions): Promise<void> {
  const reader = new OptionsReader(OWNER, options, ["clients", "drainTimeoutMs"]);
  const clients = reader.array("clients", (value, name) => {
    if (!(value instanceof IntentProofClient)) throw new TypeError(`${OWNER}: "${name}" must be an IntentProofClient`);
    return value;
  }) ?? [defaultClient];
  const drainTimeoutMs = reader.timeoutMs("drainTimeoutMs", undefined, DEFAULT_DRAIN_TIMEOUT_MS);
  if (typeof server?.close !== "function") throw new TypeError(`${OWNER}: "server" must be a node:http Server (what app.listen() returns)`);

  const startedAt = Date.now();
  await stopServing(server, drainTimeoutMs);
  // Connections cut at the deadline report their responses' 'close' (and so
  // the aborted requests' events) a few turns after the server has closed,
  // and a handler may still run after its response: wait for those events
  // within what is left of the deadline, then record the rest as they stand.
  await settlePendingRecordings(server, Math.max(SETTLE_MARGIN_MS, drainTimeoutMs - (Date.now() - startedAt)));
  await Promise.all(clients.map((client) => client.shutdown()));
}

function stopServing(server: Server, drainTimeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    // Requests still arriving on open connections are served, then the connection closes.
    const closeAfterResponse = (_req: unknown, res: { shouldKeepAlive: boolean }) => {
      res.shouldKeepAlive = false;
    };
    server.prependListener("request", closeAfterResponse);
    // And so are the recorded requests in flight whose response has not started.
    closeConnectionsAfterPendingResponses(server);
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    const deadline = setTimeout(() => server.closeAllConnections(), drainTimeoutMs);
    const done = () => {
      clearInterval(sweep);
      clearTimeout(deadline);
      server.off("request", closeAfterResponse);
      resolve();
    };
    if (!server.listening) {
      done();
      return;
    }
    server.close(done);
    server.closeIdleConnections();
  });
}
