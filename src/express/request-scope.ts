import type { AsyncResource } from "node:async_hooks";
import { EventEmitter } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import { callInScope, captureContext, currentScope, type CorrelationScope } from "../core/correlation.js";

// What the intentproof() middleware gave a request, kept on the request
// itself: a second mount (app and router) finds its scope there, and the
// request's and response's events are emitted inside it. One property, added
// at the same point of every request, keeps one object shape; at an app's
// root it is the only key the request gains (see scopesOnRootPrototype). A
// WeakMap entry per request cost more than everything else the middleware
// does on Node 24.
const REQUEST_STATE = Symbol("intentproof.requestState");

interface RequestState {
  scope: CorrelationScope;
  /**
   * The async context the scope runs in, captured once where re-entering it
   * is cheaper than entering the scope anew (Node 24: a request emits half a
   * dozen events, and entering a scope builds a context frame).
   */
  context: AsyncResource | undefined;
  /** What a recorded route keeps for the request's response (see response-capture), so the response gains no property. */
  responseSlot: unknown;
}

interface ScopedRequest extends IncomingMessage {
  [REQUEST_STATE]?: RequestState;
}

/** The scope a previous `intentproof()` gave this request, if any. */
export function scopeOfRequest(req: IncomingMessage): CorrelationScope | undefined {
  return (req as ScopedRequest)[REQUEST_STATE]?.scope;
}

type Emit = (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;
const nodeEmit = EventEmitter.prototype.emit as Emit;

// Node emits a request's 'data'/'end'/'close' from the connection's parser
// and a response's 'finish'/'close' from socket callbacks: async contexts
// created before the middleware ran, so listeners a handler adds would see no
// correlation id. Emitting inside the request's scope fixes that for every
// listener, whoever added it. These two serve the usual case, where neither
// object overrides EventEmitter's emit; `arguments` avoids a rest array.
function emitInRequestScope(this: ScopedRequest, event: string | symbol): boolean {
  if (noListener(this, event)) return Reflect.apply(nodeEmit, this, arguments) as boolean;
  return emitFor(this, nodeEmit, this, arguments);
}

function emitInResponseScope(this: ServerResponse, event: string | symbol): boolean {
  if (noListener(this, event)) return Reflect.apply(nodeEmit, this, arguments) as boolean;
  return emitFor(this.req as ScopedRequest | undefined, nodeEmit, this, arguments);
}

// Half of a request's events have no listener ('resume', 'readable',
// 'prefinish', the request's 'close'): nothing would run in the scope, so it
// is not entered. Not for 'error': its monitors listen under another key.
function noListener(emitter: EventEmitter, event: string | symbol): boolean {
  return event !== "error" && emitter.listenerCount(event) === 0;
}

/** For an emitter whose emit is not EventEmitter's own (a subclass or a library overrode it). */
function scopedEmit(emit: Emit, req: ScopedRequest): Emit {
  return function emitInScope(this: unknown) {
    return emitFor(req, emit, this, arguments);
  };
}

function emitFor(req: ScopedRequest | undefined, emit: Emit, emitter: unknown, args: IArguments): boolean {
  const state = req?.[REQUEST_STATE];
  if (state === undefined || currentScope() === state.scope) return Reflect.apply(emit, emitter, args);
  if (state.context !== undefined) return state.context.runInAsyncScope(Reflect.apply, undefined, emit, emitter, args) as boolean;
  return callInScope(state.scope, emit, emitter, args as unknown as unknown[]) as boolean;
}

/**
 * Binds `scope` to the request: later mounts find it, and the request's and
 * response's event listeners run inside it. Call `continueInRequestScope`
 * inside the scope next.
 */
export function bindRequestScope(req: IncomingMessage, res: ServerResponse, scope: CorrelationScope, firstMount: boolean): void {
  // Until its context is captured inside the scope, listeners enter the scope itself.
  const state: RequestState = { scope, context: undefined, responseSlot: undefined };
  (req as ScopedRequest)[REQUEST_STATE] = state;
  // A second mount with another client: the installed emitters read the new state.
  if (!firstMount) return;
  // Usually the app's prototypes already have it (from its first request): nothing to add.
  if (req.emit !== emitInRequestScope && !scopesOnRootPrototype(req, emitInRequestScope)) {
    req.emit = ownScopedEmit(req.emit as Emit, emitInRequestScope as Emit, req) as IncomingMessage["emit"];
  }
  if (res.req !== req || res.emit === emitInResponseScope || scopesOnRootPrototype(res, emitInResponseScope)) return;
  res.emit = ownScopedEmit(res.emit as Emit, emitInResponseScope as Emit, req) as ServerResponse["emit"];
}

/** The emit to give one request or response of its own: `scoped` where it would run EventEmitter's. */
function ownScopedEmit(current: Emit, scoped: Emit, req: ScopedRequest): Emit {
  return current === nodeEmit ? scoped : scopedEmit(current, req);
}

/** What Express gives an app's `request` and `response`, as read here. */
interface AppPrototype {
  emit?: unknown;
  app?: unknown;
}

interface ExpressApp extends Function {
  parent?: unknown;
  once?: (event: string, listener: () => void) => unknown;
}

/**
 * Installs `override` as the emit of the prototype Express gave `emitter`
 * when that is a root app's own request or response prototype still using
 * EventEmitter's emit: once per app, where adding it to each request and
 * response cost 3–4 µs apiece on Node 20 and 22 (V8 there copies an object's
 * map for every property added after `Object.setPrototypeOf`). A sub-app's
 * prototypes inherit from the root's (Express links them when it mounts the
 * sub-app), and Express puts the root's back when a request leaves a
 * sub-app, so every listener of the request still runs in its scope. A
 * sub-app's own prototypes are left alone (the request leaves them), and so
 * is an emit the app has replaced: those fall back to the request's and
 * response's own.
 */
function scopesOnRootPrototype(emitter: object, override: Function): boolean {
  const proto = Object.getPrototypeOf(emitter) as AppPrototype | null;
  if (proto === null || !Object.hasOwn(proto, "app") || proto.emit !== nodeEmit) return false;
  const app = proto.app as ExpressApp | undefined;
  if (typeof app !== "function" || app.parent !== undefined || typeof app.once !== "function") return false;
  proto.emit = override;
  // Mounted under another app later, the app's requests would leave these
  // prototypes halfway: from then on each gets an emit of its own again.
  app.once("mount", () => {
    if (proto.emit === override) delete proto.emit;
  });
  // The request's emit reads its state: a request not yet bound (one a body
  // parser mounted first reads) then finds it missing here, not at the end
  // of Express's prototype chain.
  if (override === emitInRequestScope) Object.defineProperty(proto, REQUEST_STATE, { value: undefined, writable: true });
  return true;
}

/** Runs inside the request's scope: captures its context for the listeners, then goes on. */
export function continueInRequestScope(req: IncomingMessage, next: () => void): void {
  const state = (req as ScopedRequest)[REQUEST_STATE];
  if (state !== undefined) state.context = captureContext();
  next();
}

/**
 * Keeps `value` in the request's state, for code that only sees the response
 * (`res.req`). False when no `intentproof()` bound the request or the slot is
 * already taken (a second recorded handler of the same request).
 */
export function holdForResponse(req: IncomingMessage | undefined, value: unknown): boolean {
  const state = (req as ScopedRequest | undefined)?.[REQUEST_STATE];
  if (state === undefined || state.responseSlot !== undefined) return false;
  state.responseSlot = value;
  return true;
}

/** What `holdForResponse` kept for this response's request, if anything. */
export function heldForResponse(res: ServerResponse): unknown {
  return (res.req as ScopedRequest | undefined)?.[REQUEST_STATE]?.responseSlot;
}
