import type { ExecutionEvent } from "../core/types.js";
import { bodyHookError, serializeError, type HttpExporterError } from "./http-error.js";

/**
 * A custom request body for one event: a string or bytes are sent as they
 * are, any other value is sent as its JSON.
 */
export type HttpBodyBuilder = (event: ExecutionEvent) => unknown;

/** The request payload for one event, and what went wrong building it. */
export interface EncodedBody {
  payload: string | Uint8Array;
  problems: HttpExporterError[];
}

/** Sent when nothing of the event could be serialized. */
const LAST_RESORT = '{"intentproof":"1","eventSerializeFailed":true}';

const IDENTIFYING_FIELDS = ["id", "intent", "action", "status", "correlationId"] as const;

/**
 * Builds the body for `event`: the custom builder's result when it works,
 * else the default `{"intentproof":"1","event":<event>}` envelope. Never
 * throws; every fallback taken is listed in `problems`.
 */
export function encodeBody(event: ExecutionEvent, builder: HttpBodyBuilder | undefined): EncodedBody {
  const problems: HttpExporterError[] = [];
  if (builder !== undefined) {
    try {
      const custom = customPayload(builder(event));
      if (custom !== undefined) return { payload: custom, problems };
      problems.push(bodyHookError(new TypeError("body(event) returned a value that has no JSON form")));
    } catch (error) {
      problems.push(bodyHookError(error));
    }
  }
  const full = stringifyOrUndefined(event);
  if (full !== undefined) return { payload: `{"intentproof":"1","event":${full}}`, problems };
  problems.push(serializeError());
  return { payload: reducedEnvelope(event), problems };
}

function customPayload(result: unknown): string | Uint8Array | undefined {
  if (typeof result === "string" || result instanceof Uint8Array) return result;
  return stringifyOrUndefined(result);
}

function stringifyOrUndefined(value: unknown): string | undefined {
  try {
    const json: unknown = JSON.stringify(value);
    return typeof json === "string" ? json : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The identifying fields only, flagged so a collector knows the event is
 * partial; the last resort when even those cannot be read.
 */
function reducedEnvelope(event: unknown): string {
  try {
    const identity: Record<string, string> = {};
    for (const field of IDENTIFYING_FIELDS) {
      const value: unknown = (event as Record<string, unknown>)[field];
      if (typeof value === "string") identity[field] = value;
    }
    return JSON.stringify({ intentproof: "1", event: identity, eventSerializeFailed: true });
  } catch {
    return LAST_RESORT;
  }
}
