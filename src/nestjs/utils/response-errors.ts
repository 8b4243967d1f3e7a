import type { HttpAdapterHost } from "@nestjs/core";
import { recordingOfResponse, trackRecordingsByResponse } from "../recording/route-recording.js";
import { rawResponse } from "./platform.js";

const observed = new WeakSet<object>();

/**
 * On the Fastify platform, Fastify itself serializes a handler's result after
 * Nest's route pipeline has returned, and answers a failure (a BigInt, a
 * cycle) with a 500 on its own. Fastify's documented `onError` hook sees that
 * error: it is noted on the request's recording so the event keeps its
 * class. Express serializes inside Nest's pipeline, where the error is seen
 * anyway. Called once per application, before it listens; the hook runs only
 * when Fastify handles an error, never on a normal request.
 */
export function observeResponseErrors(adapterHost: HttpAdapterHost | undefined): void {
  const adapter = adapterHost?.httpAdapter;
  if (adapter == null || typeof adapter.getType !== "function" || adapter.getType() !== "fastify") return;
  const fastify = adapter.getInstance<{ addHook?: (name: string, hook: (...args: any[]) => void) => unknown }>();
  if (typeof fastify?.addHook !== "function" || observed.has(fastify)) return;
  observed.add(fastify);
  trackRecordingsByResponse();
  fastify.addHook("onError", (_request: unknown, reply: unknown, error: unknown, done: () => void) => {
    try {
      recordingOfResponse(rawResponse(reply))?.noteResponseError(error);
    } finally {
      done();
    }
  });
}
