import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown, type OnModuleInit } from "@nestjs/common";
import { HttpAdapterHost } from "@nestjs/core";
import { IntentProofClient } from "../../core/client.js";
import { settleAwaitingRecordings } from "../recording/awaiting-recordings.js";
import { installRouteRecording } from "../recording/route-entry.js";
import { activateClient, deactivateClient } from "../utils/client-registry.js";
import { observeResponseErrors } from "../utils/response-errors.js";
import type { ModuleSettings } from "./module-settings.js";
import { INTENTPROOF_SETTINGS } from "./tokens.js";

// The IntentProofModule of each application, keyed by the application's
// HttpAdapterHost (one per application or standalone context).
const moduleOfApplication = new WeakMap<object, IntentProofLifecycle>();

/**
 * Starts and stops the module's client. Created with the module's other
 * providers, so decorated methods record from then on (including calls from
 * other providers' `onModuleInit`), and before Nest builds the routes, so
 * decorated route handlers are recognised (see `route-entry.ts`). On
 * application shutdown, which Nest runs after the HTTP server has stopped,
 * it delivers every buffered event: a client the module created is shut
 * down, a client the user passed in is only flushed (its owner decides).
 */
@Injectable()
export class IntentProofLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(IntentProofClient) private readonly client: IntentProofClient,
    @Inject(INTENTPROOF_SETTINGS) private readonly settings: ModuleSettings,
    @Optional() @Inject(HttpAdapterHost) private readonly adapterHost?: HttpAdapterHost,
  ) {
    activateClient(client);
    if (!installRouteRecording()) {
      new Logger("IntentProof").warn(
        "This version of @nestjs/core is not one IntentProof supports (Nest 11 or 12): decorated route handlers " +
          "are recorded as plain method calls, without the HTTP outcome.",
      );
    }
  }

  /**
   * One IntentProofModule per application: a second `forRoot` would make a
   * second client that silently takes the requests (and the events) of the
   * first one's exporters.
   */
  onModuleInit(): void {
    const application = this.adapterHost;
    if (application === undefined) return;
    const first = moduleOfApplication.get(application);
    if (first !== undefined && first !== this) {
      throw new Error(
        "IntentProofModule.forRoot() (or forRootAsync()) is imported more than once in this application. " +
          "Import it once, in the root module: it is global by default, so IntentProofClient and @IntentProof " +
          "work in every other module without importing it again.",
      );
    }
    moduleOfApplication.set(application, this);
    observeResponseErrors(application);
  }

  async onApplicationShutdown(): Promise<void> {
    // Handlers still running on responses the server has closed would
    // settle after the process is gone: they are recorded now. A socket the
    // server destroyed (forceCloseConnections) closes in libuv's close phase,
    // after this turn's immediates: its response's `close` has come once an
    // immediate queued from an immediate runs.
    await new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));
    settleAwaitingRecordings(this.client);
    try {
      if (this.settings.ownsClient) await this.client.shutdown();
      else await this.client.flush();
    } finally {
      deactivateClient(this.client);
      if (this.adapterHost !== undefined && moduleOfApplication.get(this.adapterHost) === this) {
        moduleOfApplication.delete(this.adapterHost);
      }
    }
  }
}
