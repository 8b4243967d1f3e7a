import type { Request } from "express";
import { decodedPathSegment } from "../core/path-segment.js";

// Express keeps the pattern of a matched route (`req.route.path`) but only the
// *matched text* of the mounts above it (`req.baseUrl` is "/shops/42", not
// "/shops/:shopId"). To report a pattern, the mount patterns are read once
// per route from the app's router tree (router 2.x keeps them as
// `layer.rawPath`) and cached; when that is not possible (Express 4, a router
// used outside an app) the fallback is `req.baseUrl` joined with the route path.

interface LayerLike {
  route?: unknown;
  handle?: unknown;
  rawPath?: unknown;
}

interface RouterLike {
  stack: LayerLike[];
}

interface AppLike {
  mountpath?: unknown;
  parent?: unknown;
  _router?: unknown;
  router?: unknown;
}

interface CachedPatterns {
  readonly app: unknown;
  readonly patterns: readonly string[];
}

const MAX_DEPTH = 32;
const MAX_CANDIDATES = 16;
const cache = new WeakMap<object, CachedPatterns>();

/** Joins two path patterns the way Express nests them ("/" mounts add nothing). */
export function joinPaths(prefix: string, path: string): string {
  const head = prefix.endsWith("/") ? prefix.slice(0, -1) : prefix;
  if (path === "" || path === "/") return head === "" ? "/" : head;
  return head + (path.startsWith("/") ? path : "/" + path);
}

function patternTexts(pattern: unknown): string[] | undefined {
  if (typeof pattern === "string") return [pattern];
  if (pattern instanceof RegExp) return [String(pattern)];
  if (Array.isArray(pattern)) {
    const texts: string[] = [];
    for (const item of pattern.flat(Infinity)) {
      const inner = patternTexts(item);
      if (inner === undefined) return undefined;
      texts.push(...inner);
    }
    return texts;
  }
  return undefined;
}

function isRouter(value: unknown): value is RouterLike {
  return typeof value === "function" && Array.isArray((value as Partial<RouterLike>).stack);
}

function routerOf(app: AppLike): RouterLike | undefined {
  let router: unknown;
  try {
    // Express 4 keeps `_router`; Express 5 has a lazy `router` getter (Express 4's throws).
    router = app._router ?? app.router;
  } catch {
    return undefined;
  }
  if (router === null || (typeof router !== "object" && typeof router !== "function")) return undefined;
  return Array.isArray((router as Partial<RouterLike>).stack) ? (router as RouterLike) : undefined;
}

/** Every pattern a sub-app is mounted at, through its parents' mount paths. */
function appPrefixes(app: AppLike, depth: number): string[] {
  const parent = app.parent as AppLike | undefined;
  if (parent === undefined || parent === null || depth > MAX_DEPTH) return [""];
  const own = patternTexts(app.mountpath) ?? [""];
  const prefixes: string[] = [];
  for (const outer of appPrefixes(parent, depth + 1)) for (const mount of own) prefixes.push(joinPaths(outer, mount));
  return prefixes;
}

function collect(router: RouterLike, target: object, prefix: string, depth: number, seen: Set<unknown>, out: string[]): void {
  if (depth > MAX_DEPTH || seen.has(router)) return;
  seen.add(router);
  for (const layer of router.stack) {
    if (out.length >= MAX_CANDIDATES) break;
    const isTarget = layer.route === target || layer.handle === target;
    if (!isTarget && !isRouter(layer.handle)) continue;
    const own = patternTexts(layer.rawPath ?? (layer.route as { path?: unknown } | undefined)?.path);
    if (own === undefined) continue;
    for (const path of own) {
      if (isTarget) out.push(joinPaths(prefix, path));
      else collect(layer.handle as RouterLike, target, joinPaths(prefix, path), depth + 1, seen, out);
    }
  }
  seen.delete(router);
}

function findPatterns(app: AppLike, target: object): string[] {
  const router = routerOf(app);
  if (router === undefined) return [];
  const out: string[] = [];
  for (const prefix of appPrefixes(app, 0)) collect(router, target, prefix, 0, new Set(), out);
  return [...new Set(out)];
}

/** 2: the pattern matches `path`; 1: cannot tell (wildcards, optional parts, regexps); 0: it does not. */
function matchStrength(pattern: string, path: string): 0 | 1 | 2 {
  if (/[*{}()?+]/.test(pattern) || pattern.startsWith("/^")) return 1;
  const wanted = pattern.split("/").filter((s) => s !== "");
  const actual = path.split("/").filter((s) => s !== "");
  if (wanted.length !== actual.length) return 0;
  for (let i = 0; i < wanted.length; i++) {
    const segment = wanted[i]!;
    if (segment.startsWith(":")) continue;
    if (segment.toLowerCase() !== decodedPathSegment(actual[i]!).toLowerCase()) return 0;
  }
  return 2;
}

function pick(patterns: readonly string[], path: string): string | undefined {
  let maybe: string | undefined;
  for (const pattern of patterns) {
    const strength = matchStrength(pattern, path);
    if (strength === 2) return pattern;
    if (strength === 1) maybe ??= pattern;
  }
  return maybe;
}

function fallbackPattern(req: Request, route: object | undefined): string {
  const baseUrl = typeof req.baseUrl === "string" ? req.baseUrl : "";
  const own = patternTexts((route as { path?: unknown } | undefined)?.path);
  return own === undefined ? joinPaths(baseUrl, "/") : joinPaths(baseUrl, own.join(","));
}

/** The patterns `target` (a route, or a handler mounted with `app.use`) is reachable at, read once per app. */
function patternsOf(app: AppLike, target: object): readonly string[] {
  let cached = cache.get(target);
  if (cached === undefined || cached.app !== app) {
    cached = { app, patterns: findPatterns(app, target) };
    cache.set(target, cached);
  }
  return cached.patterns;
}

function chosenPattern(req: Request, patterns: readonly string[], route: object | undefined): string {
  if (patterns.length === 1) return patterns[0]!;
  if (patterns.length > 1) {
    // One router mounted at several places: the matched path tells which mount.
    const matched = route === undefined ? req.baseUrl : joinPaths(req.baseUrl, req.path);
    const chosen = pick(patterns, matched);
    if (chosen !== undefined) return chosen;
  }
  return fallbackPattern(req, route);
}

/** Whether Express called `handler` as one of `route`'s handlers (a route has one or a few). */
function isHandlerOf(route: object, handler: object): boolean {
  const stack = (route as { stack?: unknown }).stack;
  if (!Array.isArray(stack)) return true;
  for (let i = 0; i < stack.length; i++) if ((stack[i] as LayerLike | undefined)?.handle === handler) return true;
  return false;
}

/**
 * The route pattern of the request being handled (e.g. `/shops/:shopId/refunds/:orderId`).
 * `handler` is the function Express called: it identifies the layer when the
 * handler was mounted with `app.use` rather than on a route. Never throws.
 */
export function routePatternOf(req: Request, handler: object): string {
  try {
    const app = req.app as unknown as AppLike;
    const route = (req.route as object | null | undefined) ?? undefined;
    if (route === undefined || isHandlerOf(route, handler)) return chosenPattern(req, patternsOf(app, route ?? handler), route);
    // Not one of req.route's handlers: mounted with `app.use` after a route
    // that matched and called next() (Express leaves req.route set), or
    // wrapped by another function on the route, which is then its route.
    const mounted = patternsOf(app, handler);
    if (mounted.length !== 0) return chosenPattern(req, mounted, undefined);
    return chosenPattern(req, patternsOf(app, route), route);
  } catch {
    return "/";
  }
}
