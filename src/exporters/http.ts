import type * as http from "node:http";
import type { ExecutionEvent, Exporter } from "../core/types.js";
import { encodeBody } from "./http-envelope.js";
import { deadlineSignal, settledBefore, type ExporterDeadline } from "../core/exporter-deadline.js";
import {
  deadlineError,
  HttpExporterError,
  networkError,
  shutDownError,
  statusError,
  timeoutError,
} from "./http-error.js";
import { resolveHttpOptions, type HttpExporterOptions, type ResolvedHttpOptions } from "./http-options.js";
import { nodeHttp, nodeHttps } from "./node-http.js";
import { eventIdOf, ThrottledLog } from "./stderr.js";
import { trustExporter, userCopy } from "../core/shared-event.js";

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
 * - `flush(deadline?)` waits for the requests in flight when it is called.
 * - `shutdown(deadline?)` stops accepting events, waits for the requests in
 *   flight (each bounded by `timeoutMs`), then closes the agent's sockets. An
 *   event exported after that is not sent: it is reported to `onError` with
 *   code `ERR_EXPORTER_SHUT_DOWN`.
 * - A deadline (`{ signal?, timeoutMs? }`) bounds either call: when it passes,
 *   every request still in flight is aborted and its event reported to
 *   `onError` with code `ERR_DEADLINE` (dropped); the call then resolves.
 * - Without `onError`, failures go to stderr: a few lines per 10 s, then one
 *   summary line, so an outage cannot flood the logs. The summary still held
 *   back is printed at `shutdown()` (and at process exit at the latest).
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
  /** Each request in flight, with the function that aborts it. */
  private readonly pending = new Map<Promise<HttpExporterError | undefined>, () => void>();
  private readonly stderr = new ThrottledLog("HttpExporter");
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
    // Only serializes the event (onError gets a copy), so it may share the
    // object other exporters hold; a `body` builder is user code handed the
    // event itself, so with one it gets a copy of its own instead.
    if (new.target === HttpExporter && this.options.body === undefined) trustExporter(this);
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
    return this.options.awaitEach ? delivery.then(() => undefined) : undefined;
  }

  /**
   * Sends `event` and returns a promise that settles with the request,
   * whatever `awaitEach` says: it resolves to `undefined` when the collector
   * accepted the event, or to the `HttpExporterError` already reported to
   * `onError`. Never rejects. `BoundedQueueExporter` uses it so that its
   * concurrency limit bounds the requests really in flight and its stats
   * count failed deliveries as failed.
   */
  send(event: ExecutionEvent): Promise<HttpExporterError | undefined> {
    if (!this.accepting) {
      const error = shutDownError();
      this.report(error, event);
      return Promise.resolve(error);
    }
    let abort: () => void = () => undefined;
    // deliver() settles every failure itself; the catch is a last guard so a
    // bug there can never surface as an unhandled rejection.
    const delivery = this.deliver(event, (aborter) => (abort = aborter)).catch((error: unknown) => {
      const failure = networkError(error);
      this.report(failure, event);
      return failure;
    });
    this.pending.set(delivery, () => abort());
    void delivery.then(() => this.pending.delete(delivery));
    return delivery;
  }

  /**
   * Resolves when every request in flight at the time of the call has
   * settled, or when `deadline` passes: then the requests still in flight are
   * aborted and reported with code `ERR_DEADLINE`. Never rejects.
   */
  async flush(deadline?: ExporterDeadline): Promise<void> {
    const bound = deadlineSignal(deadline);
    try {
      const inFlight = [...this.pending.keys()];
      if (!(await settledBefore(Promise.all(inFlight), bound.signal))) this.abortInFlight(inFlight);
    } finally {
      bound.dispose();
    }
  }

  /**
   * Stops accepting events, waits for the requests in flight (each bounded by
   * `timeoutMs`, all of them by `deadline` when given), then closes the
   * sockets. Idempotent (a later call's deadline still applies); never rejects.
   */
  shutdown(deadline?: ExporterDeadline): Promise<void> {
    this.accepting = false;
    const bound = deadlineSignal(deadline);
    if (bound.signal !== undefined) {
      const signal = bound.signal;
      if (signal.aborted) this.abortInFlight([...this.pending.keys()]);
      else signal.addEventListener("abort", () => this.abortInFlight([...this.pending.keys()]), { once: true });
    }
    this.shutdownDone ??= this.drainAndClose();
    // Never rejects; the same promise for every call.
    void this.shutdownDone.then(() => bound.dispose());
    return this.shutdownDone;
  }

  private async drainAndClose(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending.keys()]);
    this.agent.destroy();
    this.stderr.printSummary();
  }

  private abortInFlight(requests: ReadonlyArray<Promise<HttpExporterError | undefined>>): void {
    for (const request of requests) this.pending.get(request)?.();
  }

  // Resolves (never rejects) once the request has settled one way or another:
  // with undefined when the collector accepted it, else with the reported error.
  private deliver(event: ExecutionEvent, onAbortable: (abort: () => void) => void): Promise<HttpExporterError | undefined> {
    const { payload, problems } = encodeBody(event, this.options.body);
    for (const problem of problems) this.report(problem, event);
    const { url, method, headers, timeoutMs } = this.options;

    return new Promise<HttpExporterError | undefined>((resolve) => {
      let settled = false;
      let request: http.ClientRequest | undefined;
      const settle = (error?: HttpExporterError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        if (error !== undefined) this.report(error, event);
        resolve(error);
      };
      const deadline = setTimeout(() => {
        settle(timeoutError(timeoutMs));
        request?.destroy();
      }, timeoutMs);
      deadline.unref();
      onAbortable(() => {
        settle(deadlineError());
        request?.destroy();
      });

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
      this.stderr.report(`${error.message} [${error.code}] (event ${eventIdOf(event)})`);
      return;
    }
    try {
      onError(error, userCopy(event));
    } catch {
      // A failing error handler must not break delivery of other events.
    }
  }
}
