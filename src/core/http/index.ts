// The HTTP rules every integration shares (Express, Nest on Express and
// Fastify), in one place so they cannot drift apart.
export {
  correlationFromHeader,
  correlationFromRequest,
  DEFAULT_CORRELATION_HEADER,
  MAX_INBOUND_CORRELATION_LENGTH,
  MAX_INBOUND_HEADER_COPIES,
  MAX_INBOUND_HEADER_LENGTH,
  type RequestHeadersLike,
} from "./correlation-header.js";
export { HEADER_NAME_RULE, isHeaderName } from "./header-name.js";
export { inboundCorrelationId } from "./inbound-correlation.js";
export { defaultRequestInputs, isEmptyRequestPart, REQUEST_INPUT_PARTS } from "./request-inputs.js";
export {
  HTTP_CLIENT_ABORTED,
  HTTP_METHOD,
  HTTP_RESPONSE_ALREADY_SENT,
  HTTP_ROUTE,
  HTTP_STATUS_CODE,
} from "./http-attributes.js";
export {
  CLIENT_ABORTED_ERROR_NAME,
  clientAbortedError,
  HTTP_ERROR_NAME,
  INCOMPLETE_RESPONSE_ERROR_NAME,
  incompleteResponseError,
  isErrorStatus,
  statusError,
} from "./synthetic-errors.js";
export { requestClient } from "./request-client.js";
export { errorIsOutcome, settleResponse } from "./response-outcome.js";
export { responseEnding, serverError, type ResponseEnding } from "./response-ending.js";
export { HANDLER_SETTLE_GRACE_MS } from "./settle-grace.js";
export { notingStatusSent, type StatusSentListener } from "./status-sent.js";
export {
  bytesValue,
  isJsonMediaType,
  noteBodyWritten,
  parsedJsonText,
  readBackLimit,
  SentBody,
  textBodyValue,
  UNRECORDED_BODY,
} from "./body-written.js";
