/** The public key set of an evidence directory, as `intentproof keys export` prints it. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { IDENTITY_FILE, listInstances, type InstanceIdentity } from "./instance-store.js";
import type { PublicKeyEntry, PublicKeySet } from "./key-set.js";

/**
 * Every key every instance in `directory` has used (also when `directory` is
 * one instance directory), in a stable order.
 * @throws Error when two instances claim one key id with different keys.
 */
export async function exportPublicKeys(directory: string): Promise<PublicKeySet> {
  const identities: InstanceIdentity[] = (await listInstances(directory)).map((i) => i.identity);
  try {
    identities.push(JSON.parse(await readFile(join(directory, IDENTITY_FILE), "utf8")) as InstanceIdentity);
  } catch {
    // not an instance directory itself
  }
  const byId = new Map<string, PublicKeyEntry>();
  for (const identity of identities) {
    for (const key of identity.keys ?? []) {
      const known = byId.get(key.key_id);
      if (known !== undefined && known.public_key !== key.public_key) {
        throw new Error(`key id "${key.key_id}" names two different keys in ${directory}`);
      }
      byId.set(key.key_id, { key_id: key.key_id, alg: "ed25519", public_key: key.public_key });
    }
  }
  return { keys: [...byId.values()].sort((a, b) => (a.key_id < b.key_id ? -1 : a.key_id > b.key_id ? 1 : 0)) };
}
