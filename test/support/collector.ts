/**
 * A local IntentProof collector for tests: a real `node:http` server on
 * 127.0.0.1 (port 0) that records every request and can be switched into
 * failure modes.
 *
 * Modes:
 * - `"ok"`: answers `okStatus` (default 200) with `{"ok":true}`.
 * - `"fail500"`: answers 500; the request is still recorded with `accepted: false`.
 * - `"hang"`: reads the request, records it (`accepted: false`), never answers.
 * - `"refuse"`: stops listening and drops open connections, so new connections
 *   get ECONNREFUSED; switching to another mode listens again on the same port.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { ExecutionEvent } from "../../src/core/types.js";

export type CollectorMode = "ok" | "fail500" | "hang" | "refuse";

/** One request as the collector saw it. */
export interface ReceivedRequest {
  method: string;
  /** Path and query of the request. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body text. */
  rawBody: string;
  /** The body parsed as JSON, or the raw text when it is not JSON. */
  body: any;
  /** `true` when the collector answered 2xx (mode `"ok"`). */
  accepted: boolean;
  /** The mode the collector was in when the request arrived. */
  mode: CollectorMode;
  /** The client's socket port: equal across requests when a connection was reused. */
  remotePort: number | undefined;
}

export interface CollectorOptions {
  /** Initial mode. Default `"ok"`. */
  mode?: CollectorMode;
  /** Status answered in mode `"ok"`. Default 200. */
  okStatus?: number;
  /** Delay before answering in modes `"ok"` and `"fail500"`, in ms. Default 0. */
  delayMs?: number;
}

export interface Collector {
  /** `http://127.0.0.1:<port>/v1/events`. Any path is accepted. */
  readonly url: string;
  readonly port: number;
  /** Every request received, in arrival order, whatever the mode. */
  readonly received: ReceivedRequest[];
  /** The `event` of every accepted request's envelope, in arrival order. */
  events(): ExecutionEvent[];
  readonly mode: CollectorMode;
  /** Switches mode; resolves once the listening socket is closed or open again. */
  setMode(mode: CollectorMode): Promise<void>;
  /** Changes the answer delay for later requests. */
  setDelay(ms: number): void;
  /** Resolves with `events()` once it holds at least `n`; rejects after `timeoutMs` (default 5000). */
  waitForEvents(n: number, timeoutMs?: number): Promise<ExecutionEvent[]>;
  /** Resolves with `received` once it holds at least `n` requests; rejects after `timeoutMs` (default 5000). */
  waitForRequests(n: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  /** Forgets what was received. */
  reset(): void;
  /** Stops listening and destroys every open connection (hanging ones included). */
  close(): Promise<void>;
}

/** Starts a collector on 127.0.0.1 with a free port. */
export async function startCollector(options: CollectorOptions = {}): Promise<Collector> {
  const received: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  const listeners = new Set<() => void>();
  let mode: CollectorMode = options.mode ?? "ok";
  let delayMs = options.delayMs ?? 0;
  const okStatus = options.okStatus ?? 200;
  const pendingAnswers = new Set<NodeJS.Timeout>();

  const server: Server = createServer((request, response) => {
    const remotePort = request.socket.remotePort;
    void readBody(request).then((rawBody) => {
      const requestMode = mode;
      received.push({
        method: request.method ?? "",
        path: request.url ?? "",
        headers: request.headers,
        rawBody,
        body: parseJson(rawBody),
        accepted: requestMode === "ok",
        mode: requestMode,
        remotePort,
      });
      for (const notify of [...listeners]) notify();
      if (requestMode === "hang") return;
      answerLater(response, requestMode === "ok" ? okStatus : 500);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  function answerLater(response: ServerResponse, status: number): void {
    const answer = (): void => {
      if (response.destroyed) return;
      response.writeHead(status, { "content-type": "application/json" });
      response.end(status < 300 ? '{"ok":true}' : '{"ok":false}');
    };
    if (delayMs <= 0) return answer();
    const timer = setTimeout(() => {
      pendingAnswers.delete(timer);
      answer();
    }, delayMs);
    pendingAnswers.add(timer);
  }

  const port = await listen(server, 0);
  if (mode === "refuse") await stopListening(server, sockets);

  const events = (): ExecutionEvent[] =>
    received.filter((r) => r.accepted && r.body !== null && typeof r.body === "object").map((r) => r.body.event as ExecutionEvent);

  function waitFor<T>(ready: () => boolean, value: () => T, timeoutMs: number, what: string): Promise<T> {
    if (ready()) return Promise.resolve(value());
    return new Promise<T>((resolve, reject) => {
      const check = (): void => {
        if (!ready()) return;
        cleanup();
        resolve(value());
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`collector: timed out after ${timeoutMs} ms waiting for ${what} (have ${received.length} requests)`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
    });
  }

  return {
    url: `http://127.0.0.1:${port}/v1/events`,
    port,
    received,
    events,
    get mode() {
      return mode;
    },
    async setMode(next) {
      const wasRefusing = mode === "refuse";
      mode = next;
      if (next === "refuse" && !wasRefusing) await stopListening(server, sockets);
      if (next !== "refuse" && wasRefusing) await listen(server, port);
    },
    setDelay(ms) {
      delayMs = ms;
    },
    waitForEvents(n, timeoutMs = 5000) {
      return waitFor(() => events().length >= n, events, timeoutMs, `${n} events`);
    },
    waitForRequests(n, timeoutMs = 5000) {
      return waitFor(() => received.length >= n, () => received, timeoutMs, `${n} requests`);
    },
    reset() {
      received.length = 0;
    },
    async close() {
      for (const timer of pendingAnswers) clearTimeout(timer);
      pendingAnswers.clear();
      if (mode !== "refuse") await stopListening(server, sockets);
    },
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : port);
    });
  });
}

// Closing the listener alone would leave keep-alive connections usable, so
// every open socket is destroyed too.
function stopListening(server: Server, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  });
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    // An aborted upload still resolves, with what arrived.
    request.on("error", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
