/** Name of the error recorded for a 5xx response sent without a thrown error. */
export const HTTP_ERROR_NAME = "HttpError";
/** Name of the error recorded when the client disconnected before the response finished. */
export const CLIENT_ABORTED_ERROR_NAME = "ClientAbortedError";

/** Statuses recorded as `status: "error"` even when nothing threw. */
export function isErrorStatus(status: number): boolean {
  return status >= 500;
}

/** The error of a bare error status: `{ name: "HttpError", message: "HTTP 503", code: "503" }`. */
export function statusError(status: number): { name: string; message: string; code: string } {
  const code = String(status);
  return { name: HTTP_ERROR_NAME, message: `HTTP ${code}`, code };
}

/** The error of a request its client abandoned. */
export function clientAbortedError(): { name: string; message: string } {
  return { name: CLIENT_ABORTED_ERROR_NAME, message: "the client closed the connection before the response finished" };
}

/** Name of the error recorded when the server closed the connection before the response finished. */
export const INCOMPLETE_RESPONSE_ERROR_NAME = "IncompleteResponseError";

/** The error of a response the server cut off without an error of its own (see response-ending.ts). */
export function incompleteResponseError(): { name: string; message: string } {
  return { name: INCOMPLETE_RESPONSE_ERROR_NAME, message: "the server closed the connection before the response finished" };
}
