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
