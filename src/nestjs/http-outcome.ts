import type { Attributes } from "../core/types.js";
import type { FailureDetails } from "../core/execution.js";
import { routePatternOf } from "./platform.js";

/**
 * The status and class name of a Nest `HttpException` (or a subclass), else
 * `undefined`. Recognised by shape, not `instanceof`, so an exception from
 * another copy of `@nestjs/common` (a CommonJS Nest 11 app, a nested
 * dependency) counts too.
 */
export function httpExceptionOf(error: unknown): { status: number; name: string } | undefined {
  if (error === null || typeof error !== "object") return undefined;
  try {
    const e = error as { getStatus?: unknown; getResponse?: unknown };
    if (typeof e.getStatus !== "function" || typeof e.getResponse !== "function") return undefined;
    const status = (e.getStatus as () => unknown).call(error);
    if (typeof status !== "number" || !Number.isInteger(status)) return undefined;
    const name = (Object.getPrototypeOf(error)?.constructor as { name?: unknown } | undefined)?.name;
    return { status, name: typeof name === "string" && name !== "" ? name : "HttpException" };
  } catch {
    return undefined;
  }
}

/** The `http.*` attributes of a handler's event. */
export function httpAttributes(request: unknown, status: number): Attributes {
  const attributes: Attributes = {};
  const method = (request as { method?: unknown })?.method;
  if (typeof method === "string") attributes["http.method"] = method;
  const route = routePatternOf(request);
  if (route !== undefined) attributes["http.route"] = route;
  attributes["http.status_code"] = status;
  return attributes;
}

/**
 * The status an error leads to and how it is recorded: an HttpException
 * gives its status, `error.name` its class name and `error.code` the status;
 * anything else becomes a 500 and keeps its own name and code.
 */
export function failureOf(error: unknown, request: unknown): { status: number; details: FailureDetails } {
  const http = httpExceptionOf(error);
  const status = http?.status ?? 500;
  const details: FailureDetails = { attributes: httpAttributes(request, status) };
  if (http !== undefined) {
    details.name = http.name;
    details.code = String(status);
  }
  return { status, details };
}

/** What a response with an error status but no thrown error is recorded as (as in the Express integration). */
export function statusError(status: number): { name: string; message: string } {
  return { name: "HttpError", message: `HTTP ${status}` };
}
