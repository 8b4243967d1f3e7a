import type * as http from "node:http";
import type { ExecutionEvent, Exporter } from "../core/types.js";
import { encodeBody } from "./http-envelope.js";
import {
  HttpExporterError,
  networkError,
  shutDownError,
  statusError,
  timeoutError,
} from "./http-error.js";
import { resolveHttpOptions, type HttpExporterOptions, type ResolvedHttpOptions } from "./http-options.js";
import { nodeHttp, nodeHttps } from "./node-http.js";
import { eventIdOf, writeStderrLine } from "./stderr.js";

export type { HttpExporterOptions } from "./http-options.js";
export { HttpExporterError, type HttpExporterErrorCode } from "./http-error.js";
export type { HttpBodyBuilder } from "./http-envelope.js";

/**
 * Sends each event to a collector as one HTTP request, by default
 * `POST` with the JSON body `{"intentproof":"1","event":<ExecutionEvent>}`.
 *
 * - Uses `node:http`/`node:https` with a keep-alive agent of its own, so
 *   nothing ambient (cookies, proxy settings, global agents) is attached:
 *   only the headers configured here are sent.
 * - Never throws into and never rejects to the caller. Non-2xx answers,
 *   network errors, timeouts (`timeoutMs`, the request is destroyed) and
 *   `body` builder failures go to `onError` as an {@link HttpExporterError}
 *   with a `code`; messages never hold header values, bodies or the URL.
 * - `awaitEach: true`: `export` returns a promise that resolves once the
 *   collector answered or the request failed (failures still only reach `onError`).
 * - `flush()` waits for the requests in flight when it is called.
 * - `shutdown()` stops accepting events, waits for the requests in flight,
 *   then closes the agent's sockets. An event exported after that is not sent:
 *   it is reported to `onError` with code `ERR_EXPORTER_SHUT_DOWN`.
 *
 * For a bound on memory and sockets under load, put it behind a
 * `BoundedQueueExporter`.
 *
 * @example
 * new HttpExporter({
 *   url: "https://collector.example.com/v1/events",
 *   headers: { authorization: `Bearer ${process.env.COLLECTOR_TOKEN}` },
 * });
 */
export class HttpExporter implements Exporter {
  private readonly options: ResolvedHttpOptions;
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;
  private readonly pending = new Set<Promise<void>>();
  private accepting = true;
  private shutdownDone: Promise<void> | undefined;

  /** @throws TypeError naming the first invalid option. */
  constructor(options: HttpExporterOptions) {
    this.options = resolveHttpOptions(options);
    const secure = this.options.url.protocol === "https:";
    const agentOptions = { keepAlive: true, maxSockets: this.options.maxSockets };
    const transport = secure ? nodeHttps() : nodeHttp();
    this.agent = new transport.Agent(agentOptions);
    this.request = transport.request;
  }

  /** Requests sent and not yet settled. */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Sends `event`. Returns nothing, or with `awaitEach` a promise that
   * resolves when the request settled. Never throws, never rejects.
   */
  export(event: ExecutionEvent): void | Promise<void> {
    const delivery = this.send(event);
    return this.options.awaitEach ? delivery : undefined;
  }

  /**
   * Sends `event` and returns a promise that resolves when the request
   * settled, whatever `awaitEach` says. Never rejects. `BoundedQueueExporter`
   * uses it so that its concurrency limit bounds the requests really in flight.
   */
  send(event: ExecutionEvent): Promise<void> {
    if (!this.accepting) {
      this.report(shutDownError(), event);
      return Promise.resolve();
    }
    // deliver() settles every failure itself; the catch is a last guard so a
    // bug there can never surface as an unhandled rejection.
    const delivery = this.deliver(event).catch((error: unknown) => this.report(networkError(error), event));
    this.pending.add(delivery);
    void delivery.then(() => this.pending.delete(delivery));
    return delivery;
  }

  /** Resolves when every request in flight at the time of the call has settled. Never rejects. */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  /**
   * Stops accepting events, waits for the requests in flight (each bounded by
   * `timeoutMs`), then closes the sockets. Idempotent; never rejects.
   */
  shutdown(): Promise<void> {
    this.shutdownDone ??= this.drainAndClose();
    return this.shutdownDone;
  }

  private async drainAndClose(): Promise<void> {
    this.accepting = false;
    while (this.pending.size > 0) await this.flush();
    this.agent.destroy();
  }

  // Resolves (never rejects) once the request has settled one way or another.
  private deliver(event: ExecutionEvent): Promise<void> {
    const { payload, problems } = encodeBody(event, this.options.body);
    for (const problem of problems) this.report(problem, event);
    const { url, method, headers, timeoutMs } = this.options;

    return new Promise<void>((resolve) => {
      let settled = false;
      let request: http.ClientRequest | undefined;
      const settle = (error?: HttpExporterError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        if (error !== undefined) this.report(error, event);
        resolve();
      };
      const deadline = setTimeout(() => {
        settle(timeoutError(timeoutMs));
        request?.destroy();
      }, timeoutMs);
      deadline.unref();

      try {
        request = this.request(
          url,
          {
            agent: this.agent,
            method,
            headers: {
              "content-type": "application/json",
              "user-agent": "intentproof",
              ...headers,
              "content-length": String(Buffer.byteLength(payload)),
            },
          },
          (response) => {
            const status = response.statusCode ?? 0;
            // The body is drained unread so the socket can be reused.
            response.on("error", () => undefined);
            response.on("end", () => settle(status >= 200 && status < 300 ? undefined : statusError(status)));
            response.on("close", () => {
              if (!response.complete) settle(networkError({ code: "ECONNRESET" }));
            });
            response.resume();
          },
        );
        request.on("error", (error) => settle(networkError(error)));
        request.end(payload);
      } catch (error) {
        settle(networkError(error));
        request?.destroy();
      }
    });
  }

  private report(error: HttpExporterError, event: ExecutionEvent): void {
    const onError = this.options.onError;
    if (onError === undefined) {
      writeStderrLine(`${error.message} [${error.code}] (event ${eventIdOf(event)})`);
      return;
    }
    try {
      onError(error, event);
    } catch {
      // A failing error handler must not break delivery of other events.
    }
  }
}
