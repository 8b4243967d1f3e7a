import type { IncomingMessage, ServerResponse } from "node:http";
import { Inject, Injectable, type NestMiddleware } from "@nestjs/common";
import { IntentProofClient } from "../core/client.js";
import { currentScope, runInScope } from "../core/correlation.js";
import { RequestScope } from "./request-scope.js";

/**
 * Internal: opens an empty `RequestScope` (no correlation id, no header read
 * or echoed) on the routes the correlation middleware does not cover (all of
 * them with `mountMiddleware: false`, else the excluded ones), so that the
 * handler guard can still tie a request to its decorated handler there. The
 * guard gives the scope an id only when the handler is decorated; other
 * routes see no correlation id, as without the middleware.
 */
@Injectable()
export class RequestScopeMiddleware implements NestMiddleware<IncomingMessage, ServerResponse> {
  constructor(@Inject(IntentProofClient) private readonly client: IntentProofClient) {}

  use(_request: IncomingMessage, _response: ServerResponse, next: (error?: unknown) => void): void {
    // IntentProofMiddleware applied by the application ran first: its scope serves.
    if (currentScope() instanceof RequestScope) return next();
    runInScope(new RequestScope(undefined, this.client), next);
  }
}
