import type { ServerResponse } from "node:http";

/**
 * How a response ended, told apart when its `close` event comes:
 * - `finished`: the whole response was handed to the connection;
 * - `client-left`: the client closed or reset the connection first;
 * - `cut-by-server`: the server ended it unfinished: code called
 *   `destroy()` on the response or its socket (a stream that failed midway,
 *   a platform giving up on a body), or a server timeout or shutdown closed
 *   the connection.
 */
export type ResponseEnding = "finished" | "client-left" | "cut-by-server";

interface ClosedSocket {
  readableEnded?: boolean;
  errored?: unknown;
}

/**
 * Read at `close`. A client that left first shows on the socket: its end of
 * the stream arrived (`readableEnded`), or the connection failed under the
 * server (`errored`, e.g. ECONNRESET). A socket the server destroyed has
 * neither, unless the server gave the response an error of its own.
 */
export function responseEnding(response: ServerResponse): ResponseEnding {
  if (response.writableFinished) return "finished";
  if (serverError(response) !== undefined) return "cut-by-server";
  const socket = (response.socket ?? response.req?.socket) as ClosedSocket | null | undefined;
  if (socket == null) return "client-left";
  return socket.readableEnded === true || socket.errored != null ? "client-left" : "cut-by-server";
}

/** The error the server destroyed `response` with (`response.destroy(error)`), if any. */
export function serverError(response: ServerResponse): Error | undefined {
  const errored = (response as { errored?: unknown }).errored;
  return errored instanceof Error ? errored : undefined;
}
