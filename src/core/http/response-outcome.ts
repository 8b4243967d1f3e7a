import type { ServerResponse } from "node:http";
import type { Execution } from "../execution.js";
import type { Attributes, JsonValue } from "../types.js";
import { HTTP_RESPONSE_ALREADY_SENT } from "./http-attributes.js";
import { serverError, type ResponseEnding } from "./response-ending.js";
import { clientAbortedError, incompleteResponseError, isErrorStatus, statusError } from "./synthetic-errors.js";

/**
 * Whether an error raised while handling a request (by the handler, a guard,
 * an interceptor, serialization) is the request's outcome, the same way in
 * every integration. It is, unless the app answered it in full with a status
 * below 400 before the response went out (an error handler or exception
 * filter that turned it into a success): then the record is that answer.
 */
export function errorIsOutcome(ending: ResponseEnding, statusSent: number, raisedAfterResponse: boolean): boolean {
  return ending !== "finished" || statusSent >= 400 || raisedAfterResponse;
}

/**
 * Settles a recorded request that ended without an error that decides it
 * (see `errorIsOutcome`), the same way in every integration: a client that
 * left first is a `ClientAbortedError`; a response the server cut off, the
 * error it was destroyed with, else an `IncompleteResponseError`; a bare
 * error status an `HttpError`; anything else `ok` with `output`, or with
 * `null` when the client got no body (a 204, 205 or 304, an answer to HEAD).
 * `outputRecorded`: `output` is already the recorded output (a snapshot
 * taken as the body was sent; `undefined` when none was), not a value to
 * snapshot.
 */
export function settleResponse(
  execution: Execution,
  response: ServerResponse,
  ending: ResponseEnding,
  statusSent: number,
  output: unknown,
  attributes: Attributes,
  outputRecorded = false,
): void {
  if (ending === "client-left") {
    execution.fail(clientAbortedError(), { attributes });
  } else if (ending === "cut-by-server") {
    // Not the client's doing: a stream that failed midway, a timeout, a shutdown's deadline.
    if (response.headersSent) attributes[HTTP_RESPONSE_ALREADY_SENT] = true;
    execution.fail(serverError(response) ?? incompleteResponseError(), { attributes });
  } else if (isErrorStatus(statusSent)) {
    execution.fail(statusError(statusSent), { attributes });
  } else if (sentNoBody(response, statusSent)) {
    // Node drops the body these responses were given: record what the client got.
    execution.succeedRecorded(null, attributes);
  } else if (outputRecorded) {
    execution.succeedRecorded((output ?? null) as JsonValue, attributes);
  } else {
    // The handler's result, which the framework sends (as JSON when it is an object).
    execution.succeed(output, attributes, true);
  }
}

/** Whether the client got no body: a 204, 205 or 304 carries none, nor does an answer to HEAD. Read per request: cheap. */
function sentNoBody(response: ServerResponse, statusSent: number): boolean {
  return statusSent === 204 || statusSent === 205 || statusSent === 304 || response.req?.method === "HEAD";
}
