import type { HttpAdapterHost } from "@nestjs/core";
import { recordingOfResponse, trackRecordingsByResponse } from "../recording/route-recording.js";
import { rawResponse } from "./platform.js";

type Reply = (this: unknown, response: unknown, body: unknown, statusCode?: number) => unknown;

const REPLY_OBSERVED = Symbol.for("intentproof:nestjs:reply-observed");

/**
 * Every Nest platform sends a route's result through its adapter's public
 * `reply(response, body, statusCode)`, the method Nest's docs have exception
 * filters call through `HttpAdapterHost`. It gets the body after every
 * interceptor (a `ClassSerializerInterceptor` that strips `@Exclude()`
 * fields, a `map` that wraps the result), so a decorated route records what
 * the client got, not what the handler returned. Wrapped once per
 * application, before it listens. A route without a recording pays one
 * `WeakMap` miss per response.
 */
export function observeRepliedBodies(adapterHost: HttpAdapterHost | undefined): void {
  const adapter = adapterHost?.httpAdapter as unknown as Record<PropertyKey, unknown> | undefined;
  const reply = adapter?.reply;
  if (typeof reply !== "function" || adapter![REPLY_OBSERVED] === true) return;
  trackRecordingsByResponse();
  adapter!.reply = function replyObserved(this: unknown, response: unknown, body: unknown, statusCode?: number): unknown {
    noteRepliedBody(response, body);
    return (reply as Reply).call(this, response, body, statusCode);
  } satisfies Reply;
  adapter![REPLY_OBSERVED] = true;
}

function noteRepliedBody(response: unknown, body: unknown): void {
  try {
    recordingOfResponse(rawResponse(response))?.noteRepliedBody(body);
  } catch {
    // A response object whose `raw` getter throws: the platform will say so itself.
  }
}
