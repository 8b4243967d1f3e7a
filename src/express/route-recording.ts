import type { Request, Response } from "express";
import type { IntentProofClient } from "../core/client.js";
import type { Execution } from "../core/execution.js";
import { defaultRequestInputs } from "../core/http/request-inputs.js";
import {
  HTTP_CLIENT_ABORTED,
  HTTP_METHOD,
  HTTP_RESPONSE_ALREADY_SENT,
  HTTP_ROUTE,
  HTTP_STATUS_CODE,
} from "../core/http/http-attributes.js";
import { clientAbortedError, isErrorStatus, statusError } from "../core/http/synthetic-errors.js";
import { snapshotValue } from "../core/snapshot.js";
import type { Attributes } from "../core/types.js";
import type { WrapPlan } from "../core/wrap-plan.js";
import { ResponseBodyCapture } from "./response-capture.js";
import { routePatternOf } from "./route-pattern.js";

const NO_ERROR = Symbol("no error");

/**
 * How long a finished response waits for its handler's promise before the
 * event is emitted anyway: an error after the response is still recorded,
 * yet a handler that never settles cannot hold its record back for ever.
 */
export const HANDLER_SETTLE_GRACE_MS = 5000;

/** The two plans of a route: the user's (hooks, labels) and the one its execution runs with. */
export interface RoutePlans {
  /** The route's options as given: its `captureOutput` is applied when the body is sent. */
  readonly user: WrapPlan;
  /** The same with `captureOutput: true`: the output handed to the execution is already recorded. */
  readonly execution: WrapPlan;
}

/**
 * The life of one recorded request: started before the handler runs, settled
 * once when the response finishes (and the handler has settled) or the
 * connection closes first. Everything here runs inside Express's callbacks
 * and event listeners, so nothing may throw out of it.
 */
export class RouteRecording {
  private error: unknown = NO_ERROR;
  private errorAfterResponse = false;
  private handlerPending = false;
  private finished = false;
  private graceTimer: NodeJS.Timeout | undefined;
  private readonly body: ResponseBodyCapture;
  private readonly method: string;
  private readonly route: string;

  private constructor(
    private readonly client: IntentProofClient,
    plans: RoutePlans,
    readonly execution: Execution,
    private readonly res: Response,
    req: Request,
    handler: object,
  ) {
    this.method = req.method;
    // Read now: Express rewrites req.baseUrl as the request leaves each router.
    this.route = routePatternOf(req, handler);
    const wrap = plans.user.resolve(client.config);
    this.body = new ResponseBodyCapture((body) => this.recordOutput(wrap, body), wrap.serialization.maxStringLength);
  }

  /** Starts the event and starts watching the response; `undefined` if telemetry itself failed. */
  static start(
    client: IntentProofClient,
    plans: RoutePlans,
    req: Request,
    res: Response,
    args: unknown[],
    handler: object,
  ): RouteRecording | undefined {
    try {
      const execution = client.startExecution(plans.execution, args, defaultRequestInputs(req));
      const recording = new RouteRecording(client, plans, execution, res, req, handler);
      recording.body.install(res);
      res.once("finish", () => recording.onFinish());
      // 'close' also follows a normal 'finish'; by then the event is settled or waits for the handler.
      res.once("close", () => {
        if (!res.writableFinished) recording.complete(true);
      });
      return recording;
    } catch (error) {
      client.reportInternalError(error);
      return undefined;
    }
  }

  /** Keeps the first error the handler threw, rejected with, or passed to `next`. */
  noteError(error: unknown): void {
    if (this.error !== NO_ERROR) return;
    this.error = error;
    // The error could no longer shape the response the client got.
    this.errorAfterResponse = this.res.headersSent;
    if (this.finished) this.complete(false);
  }

  /** The handler returned a promise that has not settled yet. */
  handlerStarted(): void {
    this.handlerPending = true;
  }

  /** The handler's promise settled (after `noteError` for a rejection). */
  handlerSettled(): void {
    this.handlerPending = false;
    if (this.finished) this.complete(false);
  }

  private onFinish(): void {
    this.finished = true;
    if (!this.handlerPending || this.error !== NO_ERROR) {
      this.complete(false);
      return;
    }
    // The response is out but the handler is still running: an error it
    // still raises belongs in the record, so wait for it, within bounds.
    this.graceTimer = setTimeout(() => this.complete(false), HANDLER_SETTLE_GRACE_MS);
    this.graceTimer.unref();
  }

  private recordOutput(wrap: ReturnType<WrapPlan["resolve"]>, body: unknown): unknown {
    const { captureOutput, serialization } = wrap;
    if (captureOutput === false) return null;
    if (typeof captureOutput === "function") {
      try {
        return snapshotValue(captureOutput(body), serialization);
      } catch {
        // Fall back to the default snapshot of the body.
      }
    }
    return snapshotValue(body, serialization);
  }

  private complete(aborted: boolean): void {
    if (this.execution.isSettled) return;
    if (this.graceTimer !== undefined) clearTimeout(this.graceTimer);
    try {
      const res = this.res;
      const status = res.statusCode;
      const attributes: Attributes = { [HTTP_METHOD]: this.method, [HTTP_ROUTE]: this.route };
      // An aborted request may never have had a status; only one actually sent is reported.
      if (!aborted || res.headersSent) attributes[HTTP_STATUS_CODE] = status;
      if (aborted) attributes[HTTP_CLIENT_ABORTED] = true;

      if (this.error !== NO_ERROR) {
        if (this.errorAfterResponse) attributes[HTTP_RESPONSE_ALREADY_SENT] = true;
        this.execution.fail(this.error, { attributes });
      } else if (aborted) {
        this.execution.fail(clientAbortedError(), { attributes });
      } else if (isErrorStatus(status)) {
        this.execution.fail(statusError(status), { attributes });
      } else {
        this.execution.succeed(this.body.recorded, attributes);
      }
    } catch (error) {
      this.client.reportInternalError(error);
    }
  }
}
