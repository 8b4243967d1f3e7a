import { EventEmitter } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import { callInScope, currentScope, type CorrelationScope } from "../core/correlation.js";

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
const nodeEmit = EventEmitter.prototype.emit as Emit;

// Node emits a request's 'data'/'end'/'close' from the connection's parser
// and a response's 'finish'/'close' from socket callbacks: async contexts
// created before the middleware ran, so listeners a handler adds would see no
// correlation id. Emitting inside the request's scope fixes that for every
// listener, whoever added it. These two serve the usual case, where neither
// object overrides EventEmitter's emit; `arguments` avoids a rest array.
function emitInRequestScope(this: ScopedRequest): boolean {
  const scope = this[REQUEST_SCOPE];
  if (scope === undefined || currentScope() === scope) return Reflect.apply(nodeEmit, this, arguments);
  return callInScope(scope, nodeEmit, this, arguments as unknown as unknown[]) as boolean;
}

function emitInResponseScope(this: ServerResponse): boolean {
  const scope = (this.req as ScopedRequest | undefined)?.[REQUEST_SCOPE];
  if (scope === undefined || currentScope() === scope) return Reflect.apply(nodeEmit, this, arguments);
  return callInScope(scope, nodeEmit, this, arguments as unknown as unknown[]) as boolean;
}

/** For an emitter whose emit is not EventEmitter's own (a subclass or a library overrode it). */
function scopedEmit(emit: Emit, req: ScopedRequest): Emit {
  return function emitInScope(this: unknown) {
    const scope = req[REQUEST_SCOPE];
    if (scope === undefined || currentScope() === scope) return Reflect.apply(emit, this, arguments);
    return callInScope(scope, emit, this, arguments as unknown as unknown[]) as boolean;
  };
}

/**
 * Binds `scope` to the request: later mounts find it, and the request's and
 * response's event listeners run inside it.
 */
export function bindRequestScope(req: IncomingMessage, res: ServerResponse, scope: CorrelationScope, firstMount: boolean): void {
  (req as ScopedRequest)[REQUEST_SCOPE] = scope;
  // A second mount with another client: the installed emitters read the new scope.
  if (!firstMount) return;
  const requestEmit = req.emit as Emit;
  req.emit = (requestEmit === nodeEmit ? emitInRequestScope : scopedEmit(requestEmit, req)) as IncomingMessage["emit"];
  if (res.req !== req) return;
  const responseEmit = res.emit as Emit;
  res.emit = (responseEmit === nodeEmit ? emitInResponseScope : scopedEmit(responseEmit, req)) as ServerResponse["emit"];
}
