import type { Request, Response } from "express";
import type { IntentProofClient } from "../core/client.js";
import type { Execution } from "../core/execution.js";
import type { Attributes } from "../core/types.js";
import type { WrapPlan } from "../core/wrap-plan.js";
import { ResponseBodyCapture } from "./response-capture.js";
import { defaultRouteInputs } from "./route-inputs.js";
import { routePatternOf } from "./route-pattern.js";

/** Name of the synthetic error of a 5xx response sent without a thrown error. */
export const HTTP_ERROR_NAME = "HttpError";
/** Name of the synthetic error of a request whose client disconnected before the response finished. */
export const CLIENT_ABORTED_ERROR_NAME = "ClientAbortedError";

const NO_ERROR = Symbol("no error");

/**
 * The life of one recorded request: started before the handler runs, settled
 * once when the response finishes or the connection closes first. Everything
 * here runs inside Express's callbacks and event listeners, so nothing may
 * throw out of it.
 */
export class RouteRecording {
  private error: unknown = NO_ERROR;
  private readonly body = new ResponseBodyCapture();
  private readonly method: string;
  private readonly route: string;

  private constructor(
    private readonly client: IntentProofClient,
    private readonly plan: WrapPlan,
    readonly execution: Execution,
    private readonly res: Response,
    req: Request,
    handler: object,
  ) {
    this.method = req.method;
    // Read now: Express rewrites req.baseUrl as the request leaves each router.
    this.route = routePatternOf(req, handler);
  }

  /** Starts the event and starts watching the response; `undefined` if telemetry itself failed. */
  static start(
    client: IntentProofClient,
    plan: WrapPlan,
    req: Request,
    res: Response,
    args: unknown[],
    handler: object,
  ): RouteRecording | undefined {
    try {
      const execution = client.startExecution(plan, args, defaultRouteInputs(req));
      const recording = new RouteRecording(client, plan, execution, res, req, handler);
      recording.body.install(res);
      res.once("finish", () => recording.complete(false));
      // 'close' also follows a normal 'finish'; by then the event is settled and this is a no-op.
      res.once("close", () => recording.complete(!res.writableFinished));
      return recording;
    } catch (error) {
      client.reportInternalError(error);
      return undefined;
    }
  }

  /** Keeps the first error the handler threw, rejected with, or passed to `next`. */
  noteError(error: unknown): void {
    if (this.error === NO_ERROR) this.error = error;
  }

  private complete(aborted: boolean): void {
    if (this.execution.isSettled) return;
    try {
      const res = this.res;
      const status = res.statusCode;
      const attributes: Attributes = { "http.method": this.method, "http.route": this.route };
      // An aborted request may never have had a status; only one actually sent is reported.
      if (!aborted || res.headersSent) attributes["http.status_code"] = status;
      if (aborted) attributes["http.client_aborted"] = true;

      if (this.error !== NO_ERROR) {
        this.execution.fail(this.error, { attributes });
      } else if (aborted) {
        this.execution.fail(
          { name: CLIENT_ABORTED_ERROR_NAME, message: "the client closed the connection before the response finished" },
          { attributes },
        );
      } else if (status >= 500) {
        const code = String(status);
        this.execution.fail({ name: HTTP_ERROR_NAME, message: `HTTP ${code}`, code }, { attributes });
      } else {
        const { maxStringLength } = this.plan.resolve(this.client.config).serialization;
        this.execution.succeed(this.body.output(res.getHeader("content-type"), maxStringLength), attributes);
      }
    } catch (error) {
      this.client.reportInternalError(error);
    }
  }
}
