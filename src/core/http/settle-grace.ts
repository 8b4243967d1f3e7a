/**
 * How long a recorded request whose response has closed waits for the part
 * of its handling still running (the handler's promise; in Nest, a guard or
 * pipe still deciding when the client left) before the event is emitted
 * anyway: an error raised after the response is still recorded, yet work
 * that never settles cannot hold its record back for ever.
 */
export const HANDLER_SETTLE_GRACE_MS = 5000;
