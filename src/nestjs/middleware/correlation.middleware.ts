import type { IncomingMessage, ServerResponse } from "node:http";
import { Inject, Injectable, Optional, type NestMiddleware } from "@nestjs/common";
import { IntentProofClient } from "../../core/client.js";
import { RequestSlot, runInScope } from "../../core/correlation.js";
import { INTENTPROOF_SETTINGS } from "../module/tokens.js";
import type { ModuleSettings } from "../module/module-settings.js";
import { inboundCorrelationId } from "../../core/http/index.js";

/**
 * The correlation middleware: takes the request's id from the correlation
 * header (or generates one), echoes it on the response, and runs the rest of
 * the request (guards, interceptors, pipes, the handler, exception filters
 * and everything they await) with that id active, bound to the module's
 * client. Mounted on every route by `IntentProofModule` unless
 * `mountMiddleware: false`, in which case you can apply it yourself
 * (`consumer.apply(IntentProofMiddleware).forRoutes(...)`, with the module
 * global so its client is injectable). On both platforms Nest hands
 * middleware Node's own request and response.
 */
@Injectable()
export class IntentProofMiddleware implements NestMiddleware<IncomingMessage, ServerResponse> {
  private readonly echoHeader: boolean;

  constructor(
    @Inject(IntentProofClient) private readonly client: IntentProofClient,
    // Not exported by the module: absent when the middleware is applied by another module.
    @Optional() @Inject(INTENTPROOF_SETTINGS) settings?: ModuleSettings,
  ) {
    this.echoHeader = settings?.echoHeader ?? true;
  }

  use(request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void): void {
    const client = this.client;
    const { headerName, generateOnMissing } = client.config;
    const correlationId = inboundCorrelationId(request, headerName, generateOnMissing);
    if (correlationId !== undefined && this.echoHeader && !response.headersSent) {
      response.setHeader(headerName, correlationId);
    }
    // The slot is where a decorated route's entry leaves its recording for the handler.
    runInScope({ correlationId, attributes: undefined, client, requestSlot: new RequestSlot() }, next);
  }
}
