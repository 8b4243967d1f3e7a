import type { ServerResponse } from "node:http";

/**
 * How a response ended, told apart when its `close` event comes:
 * - `finished`: the whole response was handed to the connection;
 * - `client-left`: the client closed or reset the connection first;
 * - `cut-by-server`: the server ended it unfinished: code called
 *   `destroy()` on the response or its socket (a stream that failed midway,
 *   a platform giving up on a body), or a server timeout (Node's own 408
 *   included) or shutdown closed the connection.
 */
export type ResponseEnding = "finished" | "client-left" | "cut-by-server";

interface ClosedSocket {
  readableEnded?: boolean;
  errored?: unknown;
  destroyed?: boolean;
}

/** Socket errors that mean the client's side of the connection went away. */
const PEER_GONE = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED", "ETIMEDOUT"]);

/**
 * Read at `close`. A client that left first shows on the socket: its end of
 * the stream arrived (`readableEnded`), or the connection failed under the
 * server (`errored` with ECONNRESET and the like). A socket the server
 * destroyed has neither: no error, or one of the server's own (Node's
 * `requestTimeout` destroys it with ERR_HTTP_REQUEST_TIMEOUT).
 */
export function responseEnding(response: ServerResponse): ResponseEnding {
  if (response.writableFinished) return clientLeftWhileWriting(response) ? "client-left" : "finished";
  if ((response as { errored?: unknown }).errored instanceof Error) return "cut-by-server";
  const socket = socketOf(response);
  if (socket == null) return "client-left";
  return socket.readableEnded === true || peerGone(socket.errored) ? "client-left" : "cut-by-server";
}

/**
 * Node before 24 reports a response finished once its last write was handed
 * to the socket, even when the client reset the connection while the socket
 * was still sending it (a large body): the socket is then already destroyed
 * by that reset when the response closes, which a delivered response's
 * socket is not.
 */
function clientLeftWhileWriting(response: ServerResponse): boolean {
  const socket = socketOf(response);
  return socket?.destroyed === true && peerGone(socket.errored);
}

/** The error the server cut `response` off with (`response.destroy(error)`, or its socket's), if any. */
export function serverError(response: ServerResponse): Error | undefined {
  const errored = (response as { errored?: unknown }).errored;
  if (errored instanceof Error) return errored;
  const socketError = socketOf(response)?.errored;
  return socketError instanceof Error && !peerGone(socketError) ? socketError : undefined;
}

function socketOf(response: ServerResponse): ClosedSocket | null | undefined {
  return (response.socket ?? response.req?.socket) as ClosedSocket | null | undefined;
}

function peerGone(error: unknown): boolean {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === "string" && PEER_GONE.has(code);
}
