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
 * trimmed; a blank value, one longer than 128 characters (a raw value longer
 * than 160 is refused unread), or one holding anything but printable ASCII
 * counts as missing, and then a fresh UUID v4 is used (unless
 * `generateOnMissing` is false: then the request has no id).
 * For the rest of the request (handlers, later middleware, `await`s, timers)
 * `getCorrelationId()` returns that id and every `client.wrap`ped call
 * records it; concurrent requests never share it. Listeners of the request's
 * and the response's own events (`req.on("data" | "end" | "close")`,
 * `res.on("finish" | "close")`, whoever added them) run with the id too.
 * Other emitters (a stream piped from the request, a socket) keep Node's context.
 *
 * Pass `{ client }`: the client your `wrap`ped calls use, so a route's record
 * and its calls' records reach the same exporters. Without it the default
 * client is used; if that one was never configured, a warning
 * (`INTENTPROOF_UNCONFIGURED_DEFAULT_CLIENT`) says so once.
 * `app.use(intentproof)` without the call works as `app.use(intentproof())`.
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
 *   middleware that handled the request, else the default client (a warning,
 *   `INTENTPROOF_ROUTE_WITHOUT_MIDDLEWARE`, says once that no middleware ran
 *   before the route: mounted after it, or not at all).
 * - Correlation: the request's id; without the middleware, one is generated
 *   per request (per the client's `generateOnMissing`). `client.wrap`ped calls
 *   made by the handler share it.
 * - `inputs`: `{ params, query, body }` of the request, empty ones
 *   (`undefined`, `null`, `""`, `[]`, empty bytes, a plain object without
 *   keys) left out, the same rule as the Nest integration; no headers.
 *   `captureInput(args)` receives the handler's `[req, res, next]` instead; a
 *   request or response it returns is recorded as a short summary, never
 *   field by field.
 * - `output`: the first body the response sends through `res.send`, as the
 *   client gets it: the text `res.json` / `res.jsonp` encoded (each `toJSON`
 *   and the app's `json replacer` applied once, by Express) parsed back, so
 *   limits and `redactKeys` reach into it; other text as sent; bytes under a
 *   JSON or text type as that JSON or text, other bytes as `"base64:…"`.
 *   JSON longer than 4 × `maxStringLength`, or that does not parse, is
 *   `"[Body:unrecorded]"`, never raw text. Changing the object afterwards
 *   does not change the record.
 *   `captureOutput` gets the value given to `res.json` / `res.send`, when it
 *   is sent. `null` when the response had no body sent that way (`res.end`,
 *   streams, `sendFile`), or when the client got no body (a HEAD request, a
 *   204, 205 or 304).
 * - `status: "error"` when the handler throws, rejects or calls `next(err)`
 *   (the error is recorded and still reaches Express's error handlers), or when
 *   the final status is 500 or more; a bare 5xx is recorded as
 *   `{ name: "HttpError", message: "HTTP 503", code: "503" }`.
 * - `attributes`: `http.method`, `http.route` (the route pattern, including the
 *   patterns of the routers it is mounted under, e.g. `/shops/:shopId/refunds/:orderId`)
 *   and `http.status_code` (a number).
 * - The event completes when the response finishes and the handler has
 *   settled: a handler that throws, rejects or calls `next(err)` after its
 *   response went out is recorded `status: "error"` with
 *   `http.response_already_sent: true`. A handler still running 5 s after its
 *   response no longer holds the event back (a later error is then not
 *   recorded); `next(err)` from a callback of a sync handler counts only
 *   until the response finishes. If the connection closes first, the event
 *   completes then with `status: "error"`, `http.client_aborted: true`, the
 *   handler's error if it had one and otherwise
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
