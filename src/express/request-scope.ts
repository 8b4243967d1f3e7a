import type { IncomingMessage, ServerResponse } from "node:http";
import { currentScope, runInScope, type CorrelationScope } from "../core/correlation.js";

// The scope the intentproof() middleware gave a request, kept on the request
// itself: a second mount (app and router) finds it there, and the request's
// and response's events are emitted inside it. A property added at the same
// point of every request keeps one object shape; a WeakMap entry per request
// cost more than everything else the middleware does.
const REQUEST_SCOPE = Symbol("intentproof.requestScope");

interface ScopedRequest extends IncomingMessage {
  [REQUEST_SCOPE]?: CorrelationScope;
}

/** The scope a previous `intentproof()` gave this request, if any. */
export function scopeOfRequest(req: IncomingMessage): CorrelationScope | undefined {
  return (req as ScopedRequest)[REQUEST_SCOPE];
}

type Emit = (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;

// Node emits a request's 'data'/'end'/'close' from the connection's parser
// and a response's 'finish'/'close' from socket callbacks: async contexts
// created before the middleware ran, so listeners a handler adds would see no
// correlation id. Emitting inside the request's scope fixes that for every
// listener, whoever added it.
function emitInRequestScope(this: IncomingMessage, event: string | symbol, ...args: unknown[]): boolean {
  return emitInScope(this, (this as ScopedRequest)[REQUEST_SCOPE], event, args);
}

function emitInResponseScope(this: ServerResponse, event: string | symbol, ...args: unknown[]): boolean {
  return emitInScope(this, (this.req as ScopedRequest | undefined)?.[REQUEST_SCOPE], event, args);
}

function emitInScope(emitter: object, scope: CorrelationScope | undefined, event: string | symbol, args: unknown[]): boolean {
  // The prototype's emit: the instance's own `emit` is the function calling us.
  const emit = (Object.getPrototypeOf(emitter) as { emit: Emit }).emit;
  if (scope === undefined || currentScope() === scope) return Reflect.apply(emit, emitter, [event, ...args]);
  return runInScope(scope, () => Reflect.apply(emit, emitter, [event, ...args]));
}

/**
 * Binds `scope` to the request: later mounts find it, and the request's and
 * response's event listeners run inside it. An `emit` already set on the
 * instance by someone else is left alone (its listeners then keep Node's context).
 */
export function bindRequestScope(req: IncomingMessage, res: ServerResponse, scope: CorrelationScope): void {
  (req as ScopedRequest)[REQUEST_SCOPE] = scope;
  if (!Object.hasOwn(req, "emit")) req.emit = emitInRequestScope as IncomingMessage["emit"];
  if (!Object.hasOwn(res, "emit") && res.req === req) res.emit = emitInResponseScope as ServerResponse["emit"];
}
