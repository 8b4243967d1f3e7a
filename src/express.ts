/**
 * `intentproof/express`: correlation for every request and one audit record
 * per recorded route, for plain Express 5 apps (Express 4 works as far as its
 * API is the same; it is not tested).
 *
 * ```ts
 * app.use(express.json());
 * app.use(intentproof());
 * app.post("/refunds/:orderId", recordRoute({ intent: "Initiate refund", action: "refunds.create" },
 *   async (req, res) => { res.status(201).json(await createRefund(req.params.orderId, req.body)); }));
 * ```
 *
 * @packageDocumentation
 */

/**
 * `intentproof(options?)`: the correlation middleware. Mount it before the routes.
 *
 * For each request it takes the id from the request header (default
 * `x-intentproof-correlation-id`, or the client's `correlation.headerName`),
 * trimmed; a blank value, one longer than 128 characters or one holding
 * anything but printable ASCII counts as missing, and then a fresh UUID v4 is
 * used (unless `generateOnMissing` is false: then the request has no id).
 * For the rest of the request (handlers, later middleware, `await`s, timers,
 * stream callbacks) `getCorrelationId()` returns that id and every
 * `client.wrap`ped call records it; concurrent requests never share it.
 * The id is set on the response, in the same header, before any handler runs,
 * so error responses and 404s carry it too (`echoHeader: false` turns that off).
 *
 * Options are checked when the middleware is created (TypeError naming the
 * field); per request it never throws: a misbehaving client is reported to
 * its `onExporterError` and the request goes on.
 */
export { intentproof } from "./express/middleware.js";

/**
 * `recordRoute(options, handler)`: records one `ExecutionEvent` per request the
 * handler handles. `options` are `WrapOptions` plus `client?`.
 *
 * - Client: `options.client`, else the client of the `intentproof()`
 *   middleware that handled the request, else the default client.
 * - Correlation: the request's id; without the middleware, one is generated
 *   per request (per the client's `generateOnMissing`). `client.wrap`ped calls
 *   made by the handler share it.
 * - `inputs`: `{ params, query, body }` of the request, empty ones left out;
 *   `captureInput(args)` receives the handler's `[req, res, next]` instead.
 * - `output`: the first body given to `res.json` / `res.send` (a string sent
 *   with a JSON content type is parsed back unless it exceeds
 *   `maxStringLength`; bytes become `"base64:…"`); `null` when the response
 *   had no body sent that way (`res.end`, streams, `sendFile`).
 * - `status: "error"` when the handler throws, rejects or calls `next(err)`
 *   (the error is recorded and still reaches Express's error handlers), or when
 *   the final status is 500 or more; a bare 5xx is recorded as
 *   `{ name: "HttpError", message: "HTTP 503", code: "503" }`.
 * - `attributes`: `http.method`, `http.route` (the route pattern, including the
 *   patterns of the routers it is mounted under, e.g. `/shops/:shopId/refunds/:orderId`)
 *   and `http.status_code` (a number).
 * - The event completes when the response finishes. If the connection closes
 *   first, it completes then with `status: "error"`, `http.client_aborted: true`,
 *   the handler's error if it had one and otherwise
 *   `{ name: "ClientAbortedError" }`; `http.status_code` is present only if
 *   the status line had already been sent.
 *
 * Sync and async handlers are supported; the returned function is an ordinary
 * `(req, res, next)` handler (error handlers with four parameters are not).
 * Options and `handler` are checked here (TypeError naming the field).
 */
export { recordRoute } from "./express/record-route.js";

/**
 * `closeGracefully(server, { clients?, drainTimeoutMs? })`: the shutdown that
 * loses no record. Stops accepting connections, lets the requests in flight
 * finish (their responses close keep-alive connections), then drains each
 * client's exporters (`client.shutdown()`). Call it on SIGTERM, then exit.
 */
export { closeGracefully } from "./express/graceful-close.js";

export type { CloseGracefullyOptions } from "./express/graceful-close.js";
export type { IntentProofMiddlewareOptions, RecordRouteOptions } from "./express/options.js";
