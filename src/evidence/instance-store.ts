/**
 * An evidence directory holds one sub-directory per writing instance:
 *
 *   <directory>/<instance_id>/identity.json    instance id, tenant, every public key it ever used
 *   <directory>/<instance_id>/signing-key.pem  the private key when no keyFile/signingKey is given (0600)
 *   <directory>/<instance_id>/writer.lock      held while a process writes this instance
 *   <directory>/<instance_id>/events-NNNNNN.jsonl  the log segments
 *
 * Directories are created 0700 and files 0600 (private-files.ts).
 *
 * Several processes may share a directory: each writes its own instance. A
 * process without a configured instanceId resumes the first unlocked
 * instance of its tenant (continuing its chains after a restart) or creates
 * a new one.
 */
import { generateKeyPairSync, randomBytes, type KeyObject } from "node:crypto";
import { mkdir, open, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { rawPublicKey } from "./ed25519.js";
import { EvidenceError } from "./errors.js";
import type { PublicKeyEntry } from "./key-set.js";
import { acquireLock, LOCK_FILE, type HeldLock } from "./lock-file.js";
import { PRIVATE_DIRECTORY_MODE, PRIVATE_FILE_MODE, replacePrivateFile } from "./private-files.js";
import { parseEd25519PrivateKeyPem } from "./private-key-pem.js";

export const IDENTITY_FILE = "identity.json";
export const INSTANCE_KEY_FILE = "signing-key.pem";

export interface InstanceIdentity {
  instance_id: string;
  tenant_id: string;
  keys: (PublicKeyEntry & { added_at: string })[];
}

export interface OpenedInstance {
  instanceId: string;
  path: string;
  keyId: string;
  privateKey: KeyObject;
  identity: InstanceIdentity;
  lock: HeldLock;
  staleLockTakenOver: boolean;
}

export interface InstanceRequest {
  directory: string;
  tenantId: string;
  instanceId?: string;
  keyId?: string;
  keyFile?: string;
  signingKey?: KeyObject;
}

function newInstanceId(): string {
  return "inst_" + randomBytes(8).toString("hex");
}

/** Reads a PEM private key file, or creates one (0600, O_EXCL) holding a new Ed25519 key. */
export async function loadOrCreateKeyFile(path: string): Promise<KeyObject> {
  try {
    return parsePrivateKey(await readFile(path, "utf8"), path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const { privateKey } = generateKeyPairSync("ed25519");
  const pem = privateKey.export({ format: "pem", type: "pkcs8" }) as string;
  try {
    const handle = await open(path, "wx", PRIVATE_FILE_MODE);
    try {
      await handle.writeFile(pem);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return privateKey;
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return parsePrivateKey(await readFile(path, "utf8"), path);
    throw error;
  }
}

function parsePrivateKey(pem: string, where: string): KeyObject {
  const parsed = parseEd25519PrivateKeyPem(pem);
  if (parsed.key === undefined) throw new EvidenceError("unavailable", `the key in ${where} is ${parsed.problem}`);
  return parsed.key;
}

/** The identity of the instance directory `path`, or `undefined` when it holds no valid one. */
export async function readIdentity(path: string): Promise<InstanceIdentity | undefined> {
  try {
    const parsed = JSON.parse(await readFile(join(path, IDENTITY_FILE), "utf8")) as InstanceIdentity;
    if (typeof parsed.instance_id === "string" && typeof parsed.tenant_id === "string" && Array.isArray(parsed.keys)) return parsed;
  } catch {
    // not an instance directory (yet)
  }
  return undefined;
}

async function writeIdentity(path: string, identity: InstanceIdentity): Promise<void> {
  await replacePrivateFile(join(path, `${IDENTITY_FILE}.${process.pid}.tmp`), join(path, IDENTITY_FILE), JSON.stringify(identity, null, 2) + "\n");
}

/** Every instance directory under `directory` with a readable identity. */
export async function listInstances(directory: string): Promise<{ path: string; identity: InstanceIdentity }[]> {
  const found: { path: string; identity: InstanceIdentity }[] = [];
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!entry.isDirectory()) continue;
    const path = join(directory, entry.name);
    const identity = await readIdentity(path);
    if (identity !== undefined) found.push({ path, identity });
  }
  return found;
}

async function lockInstance(path: string): Promise<{ lock: HeldLock; staleTakeover: boolean } | { heldBy: string }> {
  await mkdir(path, { recursive: true, mode: PRIVATE_DIRECTORY_MODE });
  return acquireLock(join(path, LOCK_FILE));
}

/**
 * Picks, locks and prepares the instance this process writes, with its
 * signing key and key id (added to the identity's key list on first use).
 */
export async function openInstance(request: InstanceRequest): Promise<OpenedInstance> {
  // Created owner-only; a directory that exists keeps its mode (it may be
  // shared on purpose), while the instance directories inside are 0700.
  await mkdir(request.directory, { recursive: true, mode: PRIVATE_DIRECTORY_MODE });
  let chosen: { instanceId: string; path: string; held: { lock: HeldLock; staleTakeover: boolean } } | undefined;

  if (request.instanceId !== undefined) {
    const path = join(request.directory, request.instanceId);
    const held = await lockInstance(path);
    if ("heldBy" in held) {
      throw new EvidenceError("unavailable", `instance "${request.instanceId}" in ${request.directory} is being written by ${held.heldBy}`);
    }
    chosen = { instanceId: request.instanceId, path, held };
  } else {
    for (const { path, identity } of await listInstances(request.directory)) {
      if (identity.tenant_id !== request.tenantId) continue;
      const held = await lockInstance(path);
      if ("heldBy" in held) continue;
      chosen = { instanceId: identity.instance_id, path, held };
      break;
    }
    while (chosen === undefined) {
      const instanceId = newInstanceId();
      const path = join(request.directory, instanceId);
      const held = await lockInstance(path);
      if (!("heldBy" in held)) chosen = { instanceId, path, held };
    }
  }

  const { instanceId, path, held } = chosen;
  try {
    const privateKey =
      request.signingKey ?? (await loadOrCreateKeyFile(request.keyFile ?? join(path, INSTANCE_KEY_FILE)));
    const keyId = request.keyId ?? `${instanceId}:k1`;
    const publicKey = rawPublicKey(privateKey).toString("base64");
    const identity = (await readIdentity(path)) ?? { instance_id: instanceId, tenant_id: request.tenantId, keys: [] };
    if (identity.tenant_id !== request.tenantId) {
      throw new EvidenceError("unavailable", `instance "${instanceId}" belongs to tenant "${identity.tenant_id}", not "${request.tenantId}"`);
    }
    const known = identity.keys.find((k) => k.key_id === keyId);
    if (known !== undefined && known.public_key !== publicKey) {
      throw new EvidenceError(
        "unavailable",
        `key id "${keyId}" of instance "${instanceId}" already names another public key; give the new key a new keyId (rotation keeps both)`,
      );
    }
    if (known === undefined) {
      identity.keys.push({ key_id: keyId, alg: "ed25519", public_key: publicKey, added_at: new Date().toISOString() });
      await writeIdentity(path, identity);
    }
    return { instanceId, path, keyId, privateKey, identity, lock: held.lock, staleLockTakenOver: held.staleTakeover };
  } catch (error) {
    await held.lock.release();
    throw error;
  }
}
