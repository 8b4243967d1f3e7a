import { Inject, Injectable, Optional, type OnApplicationShutdown } from "@nestjs/common";
import { ApplicationConfig } from "@nestjs/core";
import { IntentProofClient } from "../core/client.js";
import { activateClient, deactivateClient } from "./client-holder.js";
import { INTENTPROOF_SETTINGS } from "./internal-tokens.js";
import type { ModuleSettings } from "./module-settings.js";
import { installHandlerWatch } from "./handler-watch.guard.js";

/**
 * Starts and stops the module's client. Created with the module's other
 * providers, so decorated methods record from then on (including calls from
 * other providers' `onModuleInit`). On application shutdown, which Nest runs
 * after the HTTP server has stopped, it delivers every buffered event: a
 * client the module created is shut down, a client the user passed in is
 * only flushed (its owner decides when it ends).
 */
@Injectable()
export class IntentProofLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(IntentProofClient) private readonly client: IntentProofClient,
    @Inject(INTENTPROOF_SETTINGS) private readonly settings: ModuleSettings,
    // Absent in some standalone contexts: then there is no HTTP pipeline to watch.
    @Optional() @Inject(ApplicationConfig) appConfig?: ApplicationConfig,
  ) {
    activateClient(client);
    installHandlerWatch(appConfig, client);
  }

  async onApplicationShutdown(): Promise<void> {
    try {
      if (this.settings.ownsClient) await this.client.shutdown();
      else await this.client.flush();
    } finally {
      deactivateClient(this.client);
    }
  }
}
