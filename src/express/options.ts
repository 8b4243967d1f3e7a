import type { NextFunction, Request, Response } from "express";
import { IntentProofClient } from "../core/client.js";
import { HEADER_NAME_RULE, isHeaderName } from "../core/http/header-name.js";
import { describeValue, isPlainRecord, OptionsReader } from "../core/options/options-reader.js";
import type { WrapOptions } from "../core/types.js";
import { prepareWrap, type WrapPlan } from "../core/wrap-plan.js";

/** Options of the `intentproof()` middleware. Every field is optional. */
export interface IntentProofMiddlewareOptions {
  /**
   * The client whose configuration and exporters the request uses. Default:
   * the singleton `client`. Pass the client your `wrap`ped calls use, so a
   * route's record and its calls' records reach the same exporters.
   */
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
 * receives the handler's arguments `[req, res, next]`; `captureOutput` the
 * value given to `res.json` / `res.send` (itself, not a copy: return a new
 * value rather than change it, or the client gets the change too).
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

const MIDDLEWARE_OWNER = "intentproof/express: intentproof()";
const RECORD_ROUTE_OWNER = "intentproof/express: recordRoute";
const MIDDLEWARE_FIELDS = ["client", "headerName", "generateOnMissing", "echoHeader"] as const;
const CLIENT_RULE = "an IntentProofClient (from createIntentProofClient())";

/** Validates `intentproof()` options once, when the middleware is created. */
export function resolveMiddlewareOptions(options: unknown): MiddlewareSettings {
  // `intentproof()` means the defaults; `null` is a mistake, not "no options" (the reader would take it as none).
  if (options === null) throw new TypeError(`${MIDDLEWARE_OWNER}: options must be an object, got ${describeValue(options)}`);
  const reader = new OptionsReader(MIDDLEWARE_OWNER, options, MIDDLEWARE_FIELDS);
  const headerName = reader.raw("headerName");
  if (headerName !== undefined && !isHeaderName(headerName)) reader.fail("headerName", HEADER_NAME_RULE);
  return Object.freeze({
    client: reader.instanceOf("client", IntentProofClient, CLIENT_RULE),
    // Node lower-cases inbound header names; so must the lookup key.
    headerName: headerName === undefined ? undefined : (headerName as string).toLowerCase(),
    generateOnMissing: reader.boolean("generateOnMissing"),
    echoHeader: reader.boolean("echoHeader", true),
  });
}

/** Validates `recordRoute` options once, at route definition: the wrap plan and the pinned client. */
export function prepareRecordRoute(options: unknown): { client: IntentProofClient | undefined; plan: WrapPlan } {
  if (!isPlainRecord(options)) {
    throw new TypeError(`${RECORD_ROUTE_OWNER}: options must be an object with "intent" and "action", got ${describeValue(options)}`);
  }
  // Only `client` is ours; the wrap toolkit reads the rest (and rejects unknown fields).
  const { client, ...wrapOptions } = options;
  const pinned = new OptionsReader(RECORD_ROUTE_OWNER, { client }, ["client"]).instanceOf("client", IntentProofClient, CLIENT_RULE);
  const where = `${RECORD_ROUTE_OWNER} options`;
  return { client: pinned, plan: prepareWrap(wrapOptions, where) };
}
