import { IntentProofClient } from "./client.js";
import type { IntentProofConfig } from "./types.js";

/** The process-wide default client (one `MemoryExporter` until configured). */
export const client: IntentProofClient = new IntentProofClient();

/** The default client: the same object as `client`. */
export function getIntentProofClient(): IntentProofClient {
  return client;
}

/** A new, isolated client (tests, workers, tenants). */
export function createIntentProofClient(config?: IntentProofConfig): IntentProofClient {
  return new IntentProofClient(config);
}
