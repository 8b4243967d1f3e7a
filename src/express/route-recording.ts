import type { NextFunction, Request, Response } from "express";
import type { IntentProofClient } from "../core/client.js";
import { newRecord } from "../core/event-objects.js";
import { snapshotByHook, tryStartExecution, type Execution, type Settlement } from "../core/execution.js";
import {
  HTTP_CLIENT_ABORTED,
  HTTP_METHOD,
  HTTP_RESPONSE_ALREADY_SENT,
  HTTP_ROUTE,
  HTTP_STATUS_CODE,
} from "../core/http/http-attributes.js";
import { defaultRequestInputs } from "../core/http/request-inputs.js";
import { responseEnding, type ResponseEnding } from "../core/http/response-ending.js";
import { errorIsOutcome, settleResponse } from "../core/http/response-outcome.js";
import { HANDLER_SETTLE_GRACE_MS } from "../core/http/settle-grace.js";
import { bytesValue, UNRECORDED_BODY } from "../core/http/body-written.js";
import { snapshotValue } from "../core/snapshot.js";
import type { Attributes } from "../core/types.js";
import type { ResolvedWrap, WrapPlan } from "../core/wrap-plan.js";
import { recordingSettled, recordingStarted, type PendingLinks, type PendingRecording } from "./in-flight.js";
import { installResponseCapture, type ResponseRecorder } from "./response-capture.js";
import { routePatternOf } from "./route-pattern.js";
import { sentTextOutput } from "./sent-text.js";

const NO_ERROR = Symbol("no error");

/**
 * The life of one recorded request. Started before the handler runs; the
 * handler's outcome arrives through the core's `Settlement` steps; the event
 * is settled once, when the response has finished (seen at its 'close') and
 * the handler has settled (or {@link HANDLER_SETTLE_GRACE_MS} later), or when
 * the connection closes first. Everything here runs inside Express's callbacks and event
 * listeners, so nothing may throw out of it.
 */
export class RouteRecording implements Settlement, ResponseRecorder, PendingRecording {
  private error: unknown = NO_ERROR;
  private errorAfterResponse = false;
  private handlerPending = true;
  /** True while the handler runs synchronously: a throw then reaches Express by itself. */
  calling = true;
  private finished = false;
  private graceTimer: NodeJS.Timeout | undefined;
  private output: unknown = null;
  /** A text body sent: read back into `output` once the response is out (strings cannot change meanwhile). */
  private sentText: string | undefined = undefined;
  bodySent = false;
  /** The status of the status line the client received; 0 until the headers went out. */
  private statusSent = 0;
  private readonly wrap: ResolvedWrap;
  /** PendingRecording: the server whose connection carried the request. */
  readonly server: unknown;
  previousPending: PendingLinks | undefined = undefined;
  nextPending: PendingLinks | undefined = undefined;
  private readonly method: string;
  private readonly route: string;

  private constructor(
    client: IntentProofClient,
    plan: WrapPlan,
    readonly execution: Execution,
    private readonly res: Response,
    private readonly next: NextFunction,
    req: Request,
    handler: object,
  ) {
    // Its captureOutput is applied as the body is sent (recordBody); the
    // execution is then settled with that recorded output as is.
    this.wrap = plan.resolve(client.config);
    // Node sets `server` on the sockets of the connections it accepts.
    this.server = (req.socket as { server?: unknown } | null)?.server;
    this.method = req.method;
    // Read now: Express rewrites req.baseUrl as the request leaves each router.
    this.route = routePatternOf(req, handler);
    // Headers sent before this handler ran: the nearest thing to their status line there is.
    if (res.headersSent) this.statusSent = res.statusCode;
  }

  /** Starts the event and starts watching the response; `undefined` if telemetry itself failed. */
  static start(
    client: IntentProofClient,
    plan: WrapPlan,
    req: Request,
    res: Response,
    next: NextFunction,
    args: unknown[],
    handler: object,
  ): RouteRecording | undefined {
    const execution = tryStartExecution(client, plan, args, defaultRequestInputs(req, plan.resolve(client.config).serialization.maxStringLength));
    if (execution === undefined) return undefined;
    try {
      const recording = new RouteRecording(client, plan, execution, res, next, req, handler);
      installResponseCapture(res, recording);
      recordingStarted(recording);
      // One listener: 'close' comes once per response, a tick after 'finish'
      // when the response completed, alone when the connection dropped first.
      // `on`, not `once`: `once` allocates a wrapper per listener.
      res.on("close", () => recording.onClose());
      return recording;
    } catch (error) {
      execution.reportInternalError(error);
      return undefined;
    }
  }

  /** Settlement: the handler returned or its promise resolved. Its value is not the output; the body sent is. */
  succeed(): void {
    this.handlerPending = false;
    if (this.finished) this.complete("finished");
  }

  /** Settlement: the handler threw or rejected. */
  fail(_execution: Execution, error: unknown): void {
    this.noteError(error);
    this.handlerPending = false;
    if (this.finished) this.complete("finished");
    // A sync throw propagates to Express; a rejection is passed on here, with the
    // substitute Express 5 uses so a falsy rejection still reaches the error handlers.
    if (!this.calling) this.next(error || new Error("Rejected promise"));
  }

  /** Keeps the first error the handler threw, rejected with, or passed to `next`. */
  noteError(error: unknown): void {
    if (this.error !== NO_ERROR) return;
    this.error = error;
    // The error could no longer shape the response the client got.
    this.errorAfterResponse = this.res.headersSent;
    if (this.finished) this.complete("finished");
  }

  /** ResponseRecorder: the first body sent (see response-capture); bytes are copied now, text is kept for `complete`. */
  recordBody(body: unknown): void {
    this.bodySent = true;
    const { captureOutput, serialization } = this.wrap;
    if (body === undefined || captureOutput === false) return;
    if (typeof captureOutput === "function") {
      this.output = snapshotByHook(captureOutput, body, this.wrap);
    } else if (typeof body === "string") {
      this.sentText = body;
    } else {
      // Bytes are read now (a Buffer may be reused once written): under a JSON
      // or text type, the value they stand for; other bytes as "base64:…".
      const value = ArrayBuffer.isView(body) ? bytesValue(body, this.res.getHeader("content-type"), serialization.maxStringLength) : body;
      this.output = snapshotValue(value === undefined ? UNRECORDED_BODY : value, serialization);
    }
  }

  get takesGivenValue(): boolean {
    return typeof this.wrap.captureOutput === "function";
  }

  /** ResponseRecorder: the headers went out with this status (see response-capture). */
  recordStatusSent(status: number): void {
    this.statusSent = status;
  }

  get maxStringLength(): number {
    return this.wrap.serialization.maxStringLength;
  }

  private onClose(): void {
    const ending = responseEnding(this.res);
    if (ending !== "finished") {
      this.complete(ending);
      return;
    }
    this.finished = true;
    if (!this.handlerPending || this.error !== NO_ERROR) {
      this.complete("finished");
      return;
    }
    // The response is out but the handler is still running: an error it
    // still raises belongs in the record, so wait for it, within bounds.
    this.graceTimer = setTimeout(() => this.complete("finished"), HANDLER_SETTLE_GRACE_MS);
    this.graceTimer.unref();
  }

  /** PendingRecording: its server is shutting down. Read by Node when the headers go out. */
  closeConnectionAfterResponse(): void {
    const res = this.res;
    if (!res.headersSent) res.shouldKeepAlive = false;
  }

  /** PendingRecording: the process is shutting down; record what is known now. */
  settleNow(): void {
    this.complete(this.res.writableFinished ? "finished" : "cut-by-server");
  }

  private complete(ending: ResponseEnding): void {
    const execution = this.execution;
    if (execution.isSettled) return;
    if (this.graceTimer !== undefined) clearTimeout(this.graceTimer);
    recordingSettled(this);
    try {
      const res = this.res;
      // The status the client received: `statusCode` may have changed since the headers went out.
      const status = this.statusSent !== 0 ? this.statusSent : res.statusCode;
      // Kept with the event: built like the core builds an event's objects (event-objects.ts).
      const attributes = newRecord<Attributes>();
      attributes[HTTP_METHOD] = this.method;
      attributes[HTTP_ROUTE] = this.route;
      // A response cut short may never have had a status; only one actually sent is reported.
      if (ending === "finished" || res.headersSent) attributes[HTTP_STATUS_CODE] = status;
      if (ending === "client-left") attributes[HTTP_CLIENT_ABORTED] = true;

      if (this.error !== NO_ERROR && errorIsOutcome(ending, status, this.errorAfterResponse)) {
        if (this.errorAfterResponse) attributes[HTTP_RESPONSE_ALREADY_SENT] = true;
        execution.fail(this.error, { attributes });
      } else {
        // Also an error an error handler answered with success: the record is that answer.
        const sentText = this.sentText;
        const output = sentText === undefined ? this.output : sentTextOutput(sentText, res.getHeader("content-type"), this.wrap.serialization);
        settleResponse(execution, res, ending, status, output, attributes, true);
      }
    } catch (error) {
      execution.reportInternalError(error);
    }
  }
}
