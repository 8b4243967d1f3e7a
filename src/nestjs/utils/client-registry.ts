import type { IntentProofClient } from "../../core/client.js";
import { requestClient } from "../../core/http/index.js";

// Clients of the IntentProofModules alive in this process, oldest first.
// `@IntentProof` methods are wrapped when their class is defined, long before
// any module exists, so they look their client up here at call time. Usually
// there is one; tests and multi-application processes can have several.
const activeClients: IntentProofClient[] = [];

/** Called by the module when it starts: from now on decorated methods record through `client`. */
export function activateClient(client: IntentProofClient): void {
  activeClients.push(client);
}

/** Called by the module when it shuts down. */
export function deactivateClient(client: IntentProofClient): void {
  const index = activeClients.lastIndexOf(client);
  if (index !== -1) activeClients.splice(index, 1);
}

/**
 * The client a decorated method records through: the one the correlation
 * middleware bound to the current request (each application's requests go
 * to its own client), else the most recently started module's, else none.
 */
export function currentClient(): IntentProofClient | undefined {
  return requestClient() ?? (activeClients.length === 0 ? undefined : activeClients[activeClients.length - 1]);
}
