/**
 * The key that signs a bundle's manifest: a PEM file given by the user
 * (`intentproof bundle --signing-key`), or the evidence writer's own key,
 * found where the evidence exporter keeps it when given no keyFile or
 * signingKey (`<directory>/<instance_id>/signing-key.pem`, see
 * src/evidence/instance-store.ts).
 */
import { createPublicKey, type KeyObject } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { INSTANCE_KEY_FILE, readIdentity } from "../../evidence/instance-store.js";
import type { LogStream } from "../../evidence/log-reader.js";
import { parseEd25519PrivateKeyPem } from "../../evidence/private-key-pem.js";
import type { EventRecordV1 } from "../flow-builder.js";
import type { TrustedKeys } from "./trusted-keys.js";

/**
 * An Ed25519 private key from a PEM (PKCS#8) file, as the evidence exporter's `keyFile`.
 * @throws TypeError naming the file (never its content: it is a secret).
 */
export async function readSigningKeyFile(path: string): Promise<KeyObject> {
  let pem: string;
  try {
    pem = await readFile(path, "utf8");
  } catch (error) {
    throw new TypeError(`${path}: cannot read the signing key (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const parsed = parseEd25519PrivateKeyPem(pem);
  if (parsed.key === undefined) throw new TypeError(`${path}: ${parsed.problem}`);
  return parsed.key;
}

export type InstanceKeySearch = { readonly key: KeyObject; readonly keyId: string; readonly file: string } | { readonly key?: undefined; readonly reason: string };

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The private key of the one instance that signed every one of `records`,
 * read from that instance's own directory, when it is the trusted key with
 * the key id the records name; otherwise why not.
 */
export async function findInstanceSigningKey(streams: readonly LogStream[], records: readonly EventRecordV1[], trusted: TrustedKeys): Promise<InstanceKeySearch> {
  const instanceIds = new Set(records.map((r) => r.instance_id));
  const keyIds = new Set(records.map((r) => (r.signature as { key_id?: unknown } | undefined)?.key_id));
  if (instanceIds.size !== 1 || keyIds.size !== 1) return { reason: "the flow's events were signed by more than one instance or key" };
  const instanceId = String([...instanceIds][0]);
  const keyId = [...keyIds][0];
  const trustedKey = typeof keyId === "string" ? trusted.get(keyId) : undefined;
  if (trustedKey === undefined) return { reason: "the key that signs the flow's events is not among the trusted keys" };

  const wanted = new Set<object>(records);
  const sources = streams.filter((s) => s.entries.some((e) => e.kind === "event" && wanted.has(e.record)));
  if (sources.length !== 1) return { reason: "the flow's events are in more than one log" };
  const directory = sources[0]!.source;
  if (!(await isDirectory(directory))) return { reason: `${directory} is a file, not an instance directory holding a key` };
  if (basename(directory) !== instanceId && (await readIdentity(directory))?.instance_id !== instanceId) {
    return { reason: `${directory} is not the directory of instance ${instanceId}` };
  }
  const file = join(directory, INSTANCE_KEY_FILE);
  if (!(await stat(file).then(() => true, () => false))) return { reason: `no ${file} (the exporter was given its key another way)` };
  let key: KeyObject;
  try {
    key = await readSigningKeyFile(file);
  } catch (error) {
    return { reason: (error as Error).message };
  }
  if (!createPublicKey(key).equals(trustedKey)) return { reason: `${file} is not the key ${keyId} that signs the flow's events` };
  return { key, keyId: keyId as string, file };
}
