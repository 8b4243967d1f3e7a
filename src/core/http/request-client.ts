import { IntentProofClient } from "../client.js";
import { currentScope } from "../correlation.js";

/**
 * "The request's client": the client the correlation middleware bound to the
 * request being handled (it rides in the async scope), or `undefined` outside
 * such a request. An integration's explicit `client` option comes first; what
 * comes after (the default client, the latest Nest module) is the adapter's.
 */
export function requestClient(): IntentProofClient | undefined {
  const bound = currentScope()?.client;
  return bound instanceof IntentProofClient ? bound : undefined;
}
