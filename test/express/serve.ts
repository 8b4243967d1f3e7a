import type { Express } from "express";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import type { ExecutionEvent } from "../../src/core/types.js";

export interface Served {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 on a free port. */
export async function serve(app: Express): Promise<Served> {
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(0, "127.0.0.1", (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        // fetch keeps connections alive; drop them so close() does not wait for their timeout.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Events are emitted on the response's 'close', which can run just after the
 * client has the response; wait for them instead of racing.
 */
export async function waitForEvents(
  source: { getEvents(): ExecutionEvent[] },
  count: number,
  timeoutMs = 3000,
): Promise<ExecutionEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = source.getEvents();
    if (events.length >= count) return events;
    if (Date.now() > deadline) throw new Error(`expected ${count} event(s), got ${events.length}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
