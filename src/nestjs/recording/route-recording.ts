import type { ServerResponse } from "node:http";
import type { IntentProofClient } from "../../core/client.js";
import { currentScope, runInScope, type CorrelationScope, type RequestSlot } from "../../core/correlation.js";
import { newRecord } from "../../core/event-objects.js";
import { tryStartExecution, type Execution, type FailureDetails, type Settlement } from "../../core/execution.js";
import { snapshotValue } from "../../core/snapshot.js";
import type { Attributes } from "../../core/types.js";
import {
  defaultRequestInputs,
  HTTP_CLIENT_ABORTED,
  HTTP_METHOD,
  HTTP_RESPONSE_ALREADY_SENT,
  HTTP_ROUTE,
  HTTP_STATUS_CODE,
  errorIsOutcome,
  HANDLER_SETTLE_GRACE_MS,
  noteBodyWritten,
  notingStatusSent,
  readBackLimit,
  SentBody,
  responseEnding,
  type ResponseEnding,
  settleResponse,
  type StatusSentListener,
  UNRECORDED_BODY,
} from "../../core/http/index.js";
import { routePatternOf } from "../utils/platform.js";
import { awaitSettlement, stopAwaitingSettlement, type AwaitingRecording } from "./awaiting-recordings.js";
import type { DecoratedSite } from "./decorated-site.js";
import { UnsubscribedError } from "./record-call.js";

/**
 * One request to an `@IntentProof` route handler, from the moment Nest
 * takes it (before any guard) until its response has closed. Its event is
 * the response the client actually got, so it is emitted only when both are
 * known:
 * - the response closed (`statusCode` is final, after exception filters,
 *   interceptors and `@Res()` code; `responseEnding` tells a finished
 *   response from a client that left and from one the server cut off);
 * - the handler's own outcome, when the handler ran (its inputs, its result
 *   or error). When it never ran (a guard or a pipe refused the request, an
 *   interceptor answered instead) the event has the request's params, query
 *   and body as inputs.
 * An error thrown anywhere in Nest's route pipeline (guard, interceptor,
 * pipe, handler, serializing the result) is noted as it leaves the pipeline,
 * so the event keeps its class even when an exception filter answered it.
 * The handler's event therefore comes after the events of the calls it made
 * (its services settle first), all with the request's correlation id; its
 * `startedAt`/`completedAt` span theirs. A handler still running when its
 * response closes is waited for up to `HANDLER_SETTLE_GRACE_MS`, then
 * recorded with what is known (so is one still running at shutdown).
 */
export class RouteRecording implements Settlement, StatusSentListener, AwaitingRecording {
  private execution: Execution | undefined;
  private handlerRunning = false;
  private handlerValue: unknown;
  private handlerFailed = false;
  /** The body as Node writes it (see `record`); none when the response had ended before Nest took the request. */
  private readonly sentBody: SentBody | undefined;
  private handlerError: unknown;
  private pipelineFailed = false;
  private pipelineError: unknown;
  /** The error came after the response had started: the client got what was sent before it. */
  private failedAfterResponse = false;
  private responseClosed = false;
  /**
   * How the response ended, its status and whether its headers went out,
   * read when it closed: what the client got (a `@Res()` handler writing
   * after that reaches no one, and Node 20 then reports the response finished).
   */
  private ending: ResponseEnding = "finished";
  private statusAtClose = 0;
  private headersSentAtClose = false;
  /** The client left before Nest called the handler (a guard or pipe still deciding): the handler's call is awaited. */
  private awaitingHandlerCall = false;
  /** Bounds the wait for what still runs once the response has closed; while set, listed for the application's shutdown (awaiting-recordings.ts). */
  private graceTimer: NodeJS.Timeout | undefined;
  private recorded = false;
  /** The status of the status line the client received; 0 until the headers went out. */
  private statusSent = 0;

  constructor(
    private readonly site: DecoratedSite,
    readonly client: IntentProofClient,
    private readonly request: unknown,
    private readonly response: ServerResponse,
    /** The correlation the request runs in (a refusal is recorded with it). */
    readonly scope: CorrelationScope,
    /** The slot of `scope` where the handler finds this recording, until it is recorded. */
    private readonly slot: RequestSlot,
    /** True when the route entry opens `scope` (no correlation middleware ran), false when it is already active. */
    readonly opensScope: boolean,
  ) {
    if (trackByResponse) recordingByResponse.set(response, this);
    // `close` comes once, after `finish` or when the connection drops first.
    response.on("close", this.onResponseClosed);
    this.noteStatusWhenSent(response);
    if (!response.writableEnded) {
      // Kept up to the read-back limit when written in pieces.
      this.sentBody = new SentBody(readBackLimit(site.plan.resolve(client.config).serialization.maxStringLength));
      noteBodyWritten(response, this.sentBody);
    }
    slot.held = this;
  }

  /**
   * The status the client receives is noted as the status line is written
   * (a `@Res()` handler may set another `statusCode` afterwards); Express and
   * Fastify both write it through `writeHead`. On this response only.
   */
  private noteStatusWhenSent(response: ServerResponse): void {
    if (response.headersSent) this.statusSent = response.statusCode;
    else response.writeHead = notingStatusSent(response.writeHead, this);
  }

  /** StatusSentListener: the headers went out with this status. */
  recordStatusSent(status: number): void {
    this.statusSent = status;
  }

  private readonly onResponseClosed = (): void => {
    const response = this.response;
    this.responseClosed = true;
    this.ending = responseEnding(response);
    this.statusAtClose = this.statusSent !== 0 ? this.statusSent : response.statusCode;
    this.headersSentAtClose = response.headersSent;
    // The client left while a guard, an interceptor or a pipe was still
    // deciding. Nest goes on and may call the handler: its call is then this
    // request's record (one, saying the client left), not a second, `ok`
    // one besides a refusal recorded now.
    this.awaitingHandlerCall = this.ending !== "finished" && this.execution === undefined && !this.pipelineFailed;
    this.recordWhenComplete();
    if (this.recorded) return;
    // The handler (or its call) is still to come: an error it raises still
    // belongs in the record, so wait for it, as Express does, within bounds;
    // and list it for the application's shutdown.
    this.graceTimer = setTimeout(() => this.settleNow(), HANDLER_SETTLE_GRACE_MS);
    this.graceTimer.unref();
    awaitSettlement(this);
  };

  /** AwaitingRecording: the wait is over (its bound, or the application's shutdown); what is known now is the record. */
  settleNow(): void {
    this.awaitingHandlerCall = false;
    this.handlerRunning = false;
    this.recordWhenComplete();
  }

  /**
   * Whether a call of `site` is this route's handler being called by Nest:
   * the first call of the route's own decorated method. Nested decorated
   * calls the handler makes are recorded on their own.
   */
  awaitsHandler(site: DecoratedSite): boolean {
    return site === this.site && this.execution === undefined && !this.recorded;
  }

  /** The handler has started, recorded by `execution`; its settlement comes back through `succeed`/`fail`. */
  handlerStarted(execution: Execution): void {
    this.execution = execution;
    this.handlerRunning = true;
  }

  /** Settlement of the handler's call: noted, recorded with the response. */
  succeed(_execution: Execution, value: unknown): void {
    this.handlerRunning = false;
    this.handlerValue = value;
    this.recordWhenComplete();
  }

  fail(_execution: Execution, error: unknown): void {
    this.handlerRunning = false;
    // Nest stopped listening to the handler's Observable because the response
    // ended (an SSE answer to HEAD, a client that left): the response's
    // ending decides the record, not the handler.
    if (error instanceof UnsubscribedError) {
      this.recordWhenComplete();
      return;
    }
    this.handlerFailed = true;
    this.handlerError = error;
    this.failedAfterResponse ||= this.response.headersSent;
    this.recordWhenComplete();
  }

  /** The error that left Nest's route pipeline, on its way to the exception filters. */
  notePipelineError(error: unknown): void {
    this.pipelineFailed = true;
    this.pipelineError = error;
    this.failedAfterResponse ||= this.response.headersSent;
    // A refusal that comes after the client left: nothing else will come.
    if (this.awaitingHandlerCall) this.recordWhenComplete();
  }

  /**
   * An error the platform met while sending the response (Fastify serializes
   * a result after Nest's pipeline has returned, and answers its failure
   * itself): the reason for the status, unless the pipeline threw first.
   */
  noteResponseError(error: unknown): void {
    if (this.pipelineFailed) return;
    this.pipelineFailed = true;
    this.pipelineError = error;
  }

  /**
   * What the route answered, when it succeeded: the body the client got, as
   * the platform serialized it after every interceptor, exception filter,
   * JSON replacer or response schema (see `SentBody.value`), snapshotted.
   * When that cannot be read (server-sent events, a file or bytes streamed
   * in pieces, a body too long to keep or in an encoding this runtime cannot
   * decode), the handler's result stands for it only if it is the stream
   * that was sent (its token) or the last event of SSE: any other result is
   * what the interceptors had not yet reshaped, so the body is marked
   * unrecorded rather than recorded as something the client did not get.
   * A `captureOutput` hook is typed for the method's result, so it gets that
   * (`undefined` here: `succeed` runs it).
   */
  private output(): { value: unknown; recorded: boolean } {
    const wrap = this.site.plan.resolve(this.client.config);
    const handlerResult = this.handlerFailed || this.pipelineFailed ? undefined : this.handlerValue;
    if (wrap.captureOutput !== true || this.sentBody === undefined) return { value: handlerResult, recorded: false };
    const sent = this.sentBody.value(wrap.serialization.maxStringLength);
    if (sent !== undefined) return { value: snapshotValue(sent, wrap.serialization), recorded: true };
    if (this.sentBody.isEventStream) return { value: handlerResult, recorded: false };
    const handlerSnapshot = snapshotValue(handlerResult, wrap.serialization);
    const namesStream = typeof handlerSnapshot === "string" && /^\[(?:Stream|Observable):/.test(handlerSnapshot);
    return { value: namesStream ? handlerSnapshot : UNRECORDED_BODY, recorded: true };
  }

  private recordWhenComplete(): void {
    if (this.recorded || !this.responseClosed || this.handlerRunning) return;
    if (this.awaitingHandlerCall && this.execution === undefined && !this.pipelineFailed) return;
    this.recorded = true;
    if (this.graceTimer !== undefined) {
      clearTimeout(this.graceTimer);
      stopAwaitingSettlement(this);
    }
    // Async work the request left behind keeps its scope, not this recording.
    if (this.slot.held === this) this.slot.held = undefined;
    try {
      this.record();
    } catch (error) {
      this.client.reportInternalError(error);
    }
  }

  private record(): void {
    const response = this.response;
    const { ending, statusAtClose: status } = this;
    // Kept with the event: built like the core builds an event's objects (event-objects.ts).
    const attributes = newRecord<Attributes>();
    const method = (this.request as { method?: unknown })?.method;
    if (typeof method === "string") attributes[HTTP_METHOD] = method;
    const route = routePatternOf(this.request);
    if (route !== undefined) attributes[HTTP_ROUTE] = route;
    // A status line the client never received is not reported as its status.
    if (this.headersSentAtClose) attributes[HTTP_STATUS_CODE] = status;
    if (ending === "client-left") attributes[HTTP_CLIENT_ABORTED] = true;

    // Refused before the handler ran: recorded now, with the request's params, query and body.
    const execution =
      this.execution ??
      runInScope(this.scope, tryStartExecution, this.client, this.site.refusalPlan, [], defaultRequestInputs(this.request, this.site.refusalPlan.resolve(this.client.config).serialization.maxStringLength));
    if (execution === undefined) return;
    const failed = this.pipelineFailed || this.handlerFailed;
    const error = this.pipelineFailed ? this.pipelineError : this.handlerError;
    if (failed && this.failedAfterResponse) attributes[HTTP_RESPONSE_ALREADY_SENT] = true;
    if (failed && errorIsOutcome(ending, status, this.failedAfterResponse)) {
      execution.fail(error, failureDetails(error, status, attributes));
    } else {
      // Handled: the body sent, also the answer of an exception filter that
      // turned an error into a success.
      const { value, recorded } = this.output();
      settleResponse(execution, response, ending, status, value, attributes, recorded);
    }
  }
}

/**
 * An HttpException (recognised by shape, so one from another copy of
 * `@nestjs/common` counts) keeps its class name, and its code is the status
 * the client got (an exception filter may have changed it); any other error
 * keeps its own name and code.
 */
function failureDetails(error: unknown, status: number, attributes: Attributes): FailureDetails {
  const name = httpExceptionName(error);
  return name === undefined ? { attributes } : { name, code: String(status), attributes };
}

function httpExceptionName(error: unknown): string | undefined {
  if (error === null || typeof error !== "object") return undefined;
  try {
    const e = error as { getStatus?: unknown; getResponse?: unknown };
    if (typeof e.getStatus !== "function" || typeof e.getResponse !== "function") return undefined;
    const name = (Object.getPrototypeOf(error)?.constructor as { name?: unknown } | undefined)?.name;
    return typeof name === "string" && name !== "" ? name : "HttpException";
  } catch {
    return undefined;
  }
}

// Recordings by Node response, for platform hooks that only see the response
// (kept only once such a hook is installed: Fastify's, see response-errors.ts).
const recordingByResponse = new WeakMap<ServerResponse, RouteRecording>();
let trackByResponse = false;

export function trackRecordingsByResponse(): void {
  trackByResponse = true;
}

export function recordingOfResponse(response: ServerResponse): RouteRecording | undefined {
  return recordingByResponse.get(response);
}

/** The recording of the request being handled, for its decorated method to find when Nest calls it. */
export function currentRouteRecording(): RouteRecording | undefined {
  const held = currentScope()?.requestSlot?.held;
  return held instanceof RouteRecording ? held : undefined;
}
