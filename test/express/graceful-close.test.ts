/**
 * closeGracefully: requests in flight are answered and recorded before the
 * exporters are shut down; keep-alive connections do not hold the server
 * open; a request that outlives the drain deadline is cut and recorded as aborted.
 */
import express from "express";
import { request as httpRequest, Agent } from "node:http";
import { describe, expect, it } from "vitest";
import { createIntentProofClient } from "../../src/index.js";
import { closeGracefully, intentproof, recordRoute } from "../../src/express.js";
import type { ExecutionEvent } from "../../src/core/types.js";
import { CheckedExporter } from "../support/event-validator.js";
import { serve } from "./serve.js";

/** Remembers how many events it held when it was shut down. */
class ShutdownWatchingExporter extends CheckedExporter {
  eventsAtShutdown: number | undefined;
  shutdown(): void {
    this.eventsAtShutdown = this.getEvents().length;
  }
}

function get(url: string, agent: Agent): Promise<{ status: number; body: string; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, body, connection: res.headers.connection }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

async function slowApp(exporter: CheckedExporter) {
  const client = createIntentProofClient({ exporters: [exporter] });
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let entered!: () => void;
  const handlerEntered = new Promise<void>((resolve) => (entered = resolve));
  const app = express();
  app.use(intentproof({ client }));
  app.get("/fast", recordRoute({ intent: "Fast", action: "fast" }, (_req, res) => res.json({ fast: true })));
  app.get(
    "/slow",
    recordRoute({ intent: "Slow", action: "slow" }, async (_req, res) => {
      entered();
      await released;
      res.json({ slow: true });
    }),
  );
  const served = await serve(app);
  return { client, served, release, handlerEntered };
}

describe("closeGracefully", () => {
  it("answers and records the request in flight, closes keep-alive connections, then shuts the client down", async () => {
    const exporter = new ShutdownWatchingExporter();
    const { client, served, release, handlerEntered } = await slowApp(exporter);
    const agent = new Agent({ keepAlive: true });
    try {
      // A keep-alive connection that stays open and idle.
      expect((await get(`${served.url}/fast`, agent)).status).toBe(200);
      const slow = get(`${served.url}/slow`, agent);
      await handlerEntered;
      const closing = closeGracefully(served.server, { clients: [client] });
      let closed = false;
      void closing.then(() => (closed = true));
      // The in-flight request holds the shutdown until it is answered.
      await new Promise((resolve) => setImmediate(resolve));
      expect(closed).toBe(false);
      expect(exporter.eventsAtShutdown).toBeUndefined();
      release();
      const answer = await slow;
      expect(answer).toMatchObject({ status: 200, body: JSON.stringify({ slow: true }) });
      await closing;
      expect(served.server.listening).toBe(false);
      expect(exporter.eventsAtShutdown).toBe(2);
      expect(exporter.getEvents().map((e: ExecutionEvent) => [e.action, e.status])).toEqual([
        ["fast", "ok"],
        ["slow", "ok"],
      ]);
    } finally {
      agent.destroy();
      served.server.closeAllConnections();
    }
  });

  it("cuts a request that outlives drainTimeoutMs, records it as aborted, and still shuts down", async () => {
    const exporter = new ShutdownWatchingExporter();
    const { client, served, handlerEntered, release } = await slowApp(exporter);
    const agent = new Agent({ keepAlive: true });
    try {
      const slow = get(`${served.url}/slow`, agent).catch((error: Error) => error);
      await handlerEntered;
      await closeGracefully(served.server, { clients: [client], drainTimeoutMs: 100 });
      expect(await slow).toBeInstanceOf(Error);
      expect(exporter.eventsAtShutdown).toBe(1);
      const [event] = exporter.getEvents();
      expect(event).toMatchObject({ action: "slow", status: "error", attributes: { "http.client_aborted": true } });
    } finally {
      release();
      agent.destroy();
    }
  });

  it("validates its options with the shared toolkit", async () => {
    const served = await serve(express());
    try {
      await expect(closeGracefully(served.server, { clients: [{}] } as never)).rejects.toThrow('"clients[0]" must be an IntentProofClient');
      await expect(closeGracefully(served.server, { drainTimeoutMs: 2 ** 31 })).rejects.toThrow('"drainTimeoutMs"');
      await expect(closeGracefully(served.server, { drainTimout: 5 } as never)).rejects.toThrow('did you mean "drainTimeoutMs"');
      await expect(closeGracefully(undefined as never)).rejects.toThrow('"server"');
    } finally {
      await served.close();
    }
  });
});
