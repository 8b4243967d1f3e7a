import { client as defaultClient } from "../core/default-client.js";

let warnedRouteWithoutMiddleware = false;

/**
 * A recorded route that no `intentproof()` middleware ran before (mounted
 * after the routes, or not at all) records through the default client, while
 * the app's `wrap`ped calls may use another one: the route's record and its
 * calls' records would then reach different exporters. Said once per process.
 */
export function warnRouteWithoutMiddleware(): void {
  if (warnedRouteWithoutMiddleware) return;
  warnedRouteWithoutMiddleware = true;
  process.emitWarning(
    "recordRoute handled a request that no intentproof() middleware ran before, so it records through the default " +
      "client. Mount app.use(intentproof({ client })) before your routes with the client your wrapped calls use, " +
      "or pass recordRoute({ client, ... }).",
    { code: "INTENTPROOF_ROUTE_WITHOUT_MIDDLEWARE" },
  );
}

// The default client's configuration as loaded: until `configure()` replaces
// it, the default client keeps records in an in-memory buffer nobody reads.
const unconfiguredDefault = defaultClient.config;
let warnedUnconfiguredDefault = false;

/**
 * `intentproof()` without `{ client }` binds requests to the default client.
 * If that client was never configured, the app almost certainly records its
 * `wrap`ped calls through a client of its own, and the routes' records go
 * nowhere useful. Checked at a request (configure() may come after
 * app.use()), said once per process.
 */
export function warnIfDefaultClientUnconfigured(): void {
  if (warnedUnconfiguredDefault || defaultClient.config !== unconfiguredDefault) return;
  warnedUnconfiguredDefault = true;
  process.emitWarning(
    "intentproof() was mounted without { client }, so requests record through the default client, which was never " +
      "configured: its records stay in an in-memory buffer. Pass the client your wrapped calls use: " +
      "app.use(intentproof({ client })), or configure the default client.",
    { code: "INTENTPROOF_UNCONFIGURED_DEFAULT_CLIENT" },
  );
}
