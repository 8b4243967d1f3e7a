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
import { CheckedExporter, expectValidEvent } from "../support/event-validator.js";
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

  it("answers a recorded request in flight whose response had not started with Connection: close", async () => {
    const exporter = new ShutdownWatchingExporter();
    const { client, served, release, handlerEntered } = await slowApp(exporter);
    const agent = new Agent({ keepAlive: true });
    try {
      // Before the shutdown, the app's answers keep the connection alive.
      expect(await get(`${served.url}/fast`, agent)).toMatchObject({ status: 200, connection: "keep-alive" });
      const slow = get(`${served.url}/slow`, agent);
      await handlerEntered;
      const closing = closeGracefully(served.server, { clients: [client] });
      release();
      expect(await slow).toEqual({ status: 200, body: JSON.stringify({ slow: true }), connection: "close" });
      await closing;
      const events = exporter.getEvents();
      for (const event of events) expectValidEvent(event);
      expect(events.map((e: ExecutionEvent) => [e.action, e.status, e.attributes?.["http.status_code"]])).toEqual([
        ["fast", "ok", 200],
        ["slow", "ok", 200],
      ]);
    } finally {
      agent.destroy();
      served.server.closeAllConnections();
    }
  });

  it("cuts a request that outlives drainTimeoutMs, records it as cut by the server, and still shuts down", async () => {
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
      expect(event).toMatchObject({ action: "slow", status: "error", error: { name: "IncompleteResponseError" } });
      // The server cut it, not the client.
      expect(event!.attributes).not.toHaveProperty("http.client_aborted");
      expect(event!.attributes).not.toHaveProperty("http.status_code");
      expectValidEvent(event!);
    } finally {
      release();
      agent.destroy();
    }
  });

  it("leaves the requests of another server in the same process alone", async () => {
    const closingExporter = new ShutdownWatchingExporter();
    const other = new ShutdownWatchingExporter();
    const closing = await slowApp(closingExporter);
    const running = await slowApp(other);
    const agent = new Agent({ keepAlive: true });
    try {
      const slow = get(`${running.served.url}/slow`, agent);
      await running.handlerEntered;
      await closeGracefully(closing.served.server, { clients: [closing.client], drainTimeoutMs: 50 });
      expect(other.getEvents()).toEqual([]);
      running.release();
      expect((await slow).status).toBe(200);
      const deadline = Date.now() + 2000;
      while (other.getEvents().length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(other.getEvents()).toMatchObject([{ action: "slow", status: "ok", output: { slow: true } }]);
    } finally {
      closing.release();
      agent.destroy();
      await running.served.close();
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
