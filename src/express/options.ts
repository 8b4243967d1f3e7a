import type { NextFunction, Request, Response } from "express";
import { IntentProofClient } from "../core/client.js";
import type { WrapOptions } from "../core/types.js";
import { prepareWrap, type WrapPlan } from "../core/wrap-plan.js";

/** Options of the `intentproof()` middleware. Every field is optional. */
export interface IntentProofMiddlewareOptions {
  /** The client whose configuration and exporters the request uses. Default: the singleton `client`. */
  client?: IntentProofClient;
  /** Header carrying the correlation id in and out. Default: the client's `correlation.headerName`. */
  headerName?: string;
  /** Generate a UUID v4 when the request has no usable id. Default: the client's `correlation.generateOnMissing`. */
  generateOnMissing?: boolean;
  /** Set the id on the response, in the same header. Default `true`. */
  echoHeader?: boolean;
}

/**
 * `WrapOptions` of one route, plus the client its events go to. `captureInput`
 * receives the handler's arguments `[req, res, next]`; `captureOutput` the body
 * sent with `res.json` / `res.send`.
 */
export interface RecordRouteOptions extends WrapOptions<[req: Request, res: Response, next: NextFunction], unknown> {
  /**
   * The client that records the route. Default: the client of the
   * `intentproof()` middleware that handled the request, else the singleton.
   */
  client?: IntentProofClient;
}

/** Middleware options after validation; `undefined` fields follow the client's config per request. */
export interface MiddlewareSettings {
  readonly client: IntentProofClient | undefined;
  readonly headerName: string | undefined;
  readonly generateOnMissing: boolean | undefined;
  readonly echoHeader: boolean;
}

const MIDDLEWARE_WHERE = "intentproof/express: intentproof() options";
const RECORD_ROUTE_WHERE = "intentproof/express: recordRoute options";
const MIDDLEWARE_FIELDS = new Set(["client", "headerName", "generateOnMissing", "echoHeader"]);
// RFC 9110 token: what Node's setHeader accepts as a header name.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function checkClient(value: unknown, where: string): IntentProofClient | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof IntentProofClient)) {
    throw new TypeError(`${where}: "client" must be an IntentProofClient (from createIntentProofClient())`);
  }
  return value;
}

function checkBoolean(options: Record<string, unknown>, field: string): boolean | undefined {
  const value = options[field];
  if (value !== undefined && typeof value !== "boolean") {
    throw new TypeError(`${MIDDLEWARE_WHERE}: "${field}" must be a boolean`);
  }
  return value as boolean | undefined;
}

/** Validates `intentproof()` options once, when the middleware is created. */
export function resolveMiddlewareOptions(options: unknown): MiddlewareSettings {
  if (options !== undefined && !isObject(options)) {
    throw new TypeError(`${MIDDLEWARE_WHERE}: expected an object`);
  }
  const o = options ?? {};
  // Unknown fields are rejected so a typo ("header") cannot silently fall back to a default.
  for (const key of Object.keys(o)) {
    if (!MIDDLEWARE_FIELDS.has(key)) throw new TypeError(`${MIDDLEWARE_WHERE}: unknown field "${key}"`);
  }
  const headerName = o.headerName;
  if (headerName !== undefined && (typeof headerName !== "string" || !HEADER_NAME.test(headerName))) {
    throw new TypeError(`${MIDDLEWARE_WHERE}: "headerName" must be a valid HTTP header name`);
  }
  return Object.freeze({
    client: checkClient(o.client, MIDDLEWARE_WHERE),
    // Node lower-cases inbound header names; so must the lookup key.
    headerName: headerName === undefined ? undefined : (headerName as string).toLowerCase(),
    generateOnMissing: checkBoolean(o, "generateOnMissing"),
    echoHeader: checkBoolean(o, "echoHeader") ?? true,
  });
}

/** Validates `recordRoute` options once, at route definition: the wrap plan and the pinned client. */
export function prepareRecordRoute(options: unknown): { client: IntentProofClient | undefined; plan: WrapPlan } {
  if (!isObject(options)) {
    throw new TypeError(`${RECORD_ROUTE_WHERE}: options must be an object with "intent" and "action"`);
  }
  const { client, ...wrapOptions } = options;
  return { client: checkClient(client, RECORD_ROUTE_WHERE), plan: prepareWrap(wrapOptions, RECORD_ROUTE_WHERE) };
}
