import type { Request } from "express";

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === "") return true;
  if (typeof value !== "object") return false;
  if (Array.isArray(value) || ArrayBuffer.isView(value)) return (value as { length?: number }).length === 0;
  // Plain and null-prototype objects (Express 5's parsed query) are empty without own keys.
  const proto = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && Object.keys(value).length === 0;
}

/** The default `inputs` of a recorded route: `{ params, query, body }`, leaving out the empty ones. */
export function defaultRouteInputs(req: Request): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  try {
    const { params, query, body } = req;
    if (!isEmpty(params)) inputs.params = params;
    if (!isEmpty(query)) inputs.query = query;
    if (!isEmpty(body)) inputs.body = body;
  } catch {
    // A throwing query parser or body getter leaves that part out; the request goes on.
  }
  return inputs;
}
