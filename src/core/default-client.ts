import { IntentProofClient } from "./client.js";
import type { IntentProofConfig, IntentProofConfigDocument } from "./types.js";

/** The process-wide default client (one `MemoryExporter` until configured). */
export const client: IntentProofClient = new IntentProofClient();

/** The default client: the same object as `client`. */
export function getIntentProofClient(): IntentProofClient {
  return client;
}

/** A new, isolated client (tests, workers, tenants), from a config or an `intentproof_config.v1` document. */
export function createIntentProofClient(config?: IntentProofConfig | IntentProofConfigDocument): IntentProofClient {
  return new IntentProofClient(config);
}
