/** Names of the `http.*` attributes every HTTP integration records. */
export const HTTP_METHOD = "http.method";
/** The route pattern that matched (`/refunds/:orderId`), never the concrete path. */
export const HTTP_ROUTE = "http.route";
/** The response status, a number; only present when a status line was sent (or will be). */
export const HTTP_STATUS_CODE = "http.status_code";
/** `true` when the client closed the connection before the response finished. */
export const HTTP_CLIENT_ABORTED = "http.client_aborted";
/** `true` when the handler failed after its response had already been sent. */
export const HTTP_RESPONSE_ALREADY_SENT = "http.response_already_sent";
