/** Options of EvidenceExporter, read once with the package's OptionsReader. */
import type { KeyObject } from "node:crypto";
import type { ExecutionEvent } from "../core/types.js";
import { OptionsReader } from "../core/options/options-reader.js";
import type { CheckpointRecord } from "./checkpoint.js";
import type { EvidenceError } from "./errors.js";
import { INSTANCE_ID_PATTERN, isEd25519Key } from "./identity-rules.js";
import { hasLoneSurrogate } from "./jcs.js";
import { readShipOptions, type ShipOptions, type ResolvedShipOptions } from "./ship-options.js";

export interface EvidenceExporterOptions {
  /** Directory of the evidence log; created when missing. Each instance writes its own sub-directory. */
  directory: string;
  /** `tenant_id` of every record. */
  tenantId: string;
  /**
   * `instance_id` of every record (letters, digits, `_`, `-`, `.`). Default:
   * the first unlocked instance of this tenant in `directory` (a restart
   * continues its chains), else a new `inst_<random>`.
   */
  instanceId?: string;
  /** An Ed25519 private key (KeyObject or PKCS#8 PEM). Default: `keyFile`, else a key kept in the instance directory. */
  signingKey?: KeyObject | string;
  /** PEM file of the Ed25519 private key; generated on first use (mode 0600). */
  keyFile?: string;
  /** `key_id` of the signatures. Default `<instance_id>:k1`. A new keyId with a new key rotates; old records stay verifiable. */
  keyId?: string;
  /** A checkpoint after this many events. Default 1000. */
  checkpointEvery?: number;
  /** A checkpoint at least this often while events flow, in ms. Default 1000. */
  checkpointIntervalMs?: number;
  /** Called with each checkpoint once it is on disk: publish it to an outside witness. */
  onCheckpoint?: (checkpoint: CheckpointRecord) => void | Promise<void>;
  /**
   * `"batch"` (default): every write batch is fdatasync'ed before the next
   * one starts. `"flush"`: only at flush(), checkpoints, rotation and
   * shutdown. Either way flush() resolves once everything before it is on disk.
   */
  fsync?: "batch" | "flush";
  /**
   * No segment file grows past this size: a write is split between records
   * into a new segment. A record is never split, so one longer than this
   * gets a segment of its own. Default 64 MiB.
   */
  maxSegmentBytes?: number;
  /** Events accepted but not yet on disk before new ones are dropped (and reported). Default 10000. */
  maxBacklog?: number;
  /**
   * A chain unused this long leaves memory (its head is kept on disk, so the
   * chain still continues). Default 60000 (1 min): most correlations are one
   * request, and a small map is cheap for the garbage collector.
   */
  chainIdleMs?: number;
  /** At most this many chains in memory. Default 10000. */
  maxOpenChains?: number;
  /** Every fault and drop; default: one line on stderr per kind of fault per 10 s. Never called on the caller's path. */
  onError?: (error: EvidenceError, event?: ExecutionEvent) => void;
  /** At-least-once delivery of the log to an ingest endpoint. */
  ship?: ShipOptions;
}

export interface ResolvedEvidenceOptions {
  directory: string;
  tenantId: string;
  instanceId?: string;
  signingKey?: KeyObject;
  keyFile?: string;
  keyId?: string;
  checkpointEvery: number;
  checkpointIntervalMs: number;
  onCheckpoint?: (checkpoint: CheckpointRecord) => void | Promise<void>;
  fsync: "batch" | "flush";
  maxSegmentBytes: number;
  maxBacklog: number;
  chainIdleMs: number;
  maxOpenChains: number;
  onError?: (error: EvidenceError, event?: ExecutionEvent) => void;
  ship?: ResolvedShipOptions;
}

const OWNER = "EvidenceExporter";
const FIELDS = [
  "directory", "tenantId", "instanceId", "signingKey", "keyFile", "keyId", "checkpointEvery", "checkpointIntervalMs",
  "onCheckpoint", "fsync", "maxSegmentBytes", "maxBacklog", "chainIdleMs", "maxOpenChains", "onError", "ship",
] as const;

function readSigningKey(reader: OptionsReader): KeyObject | undefined {
  const value = reader.raw("signingKey");
  if (value === undefined) return undefined;
  // Fetched here, not imported: only a configured key needs node:crypto, and this module loads with the package.
  const { KeyObject, createPrivateKey } = process.getBuiltinModule("node:crypto");
  let key: KeyObject | undefined;
  if (value instanceof KeyObject) key = value;
  else if (typeof value === "string") {
    try {
      key = createPrivateKey(value);
    } catch {
      key = undefined;
    }
  }
  // Never echo the value: it is a secret.
  if (key === undefined || !isEd25519Key(key, "private")) reader.fail("signingKey", "must be an Ed25519 private key (a KeyObject or PKCS#8 PEM)", false);
  return key;
}

/** @throws TypeError `EvidenceExporter: "<field>" <rule>, got <value>` */
export function readEvidenceOptions(options: unknown): ResolvedEvidenceOptions {
  if (options === undefined) throw new TypeError(`${OWNER}: options { directory, tenantId } are required`);
  const reader: OptionsReader = new OptionsReader(OWNER, options, FIELDS);
  const directory = reader.text("directory");
  if (directory === undefined) reader.fail("directory", "must be a non-empty string");
  const tenantId = reader.text("tenantId");
  if (tenantId === undefined) reader.fail("tenantId", "must be a non-empty string");
  // Lines are held to one exact text, and a lone surrogate has two (JCS writes U+FFFD, JSON.stringify an escape).
  if (hasLoneSurrogate(tenantId)) reader.fail("tenantId", "must be well-formed Unicode (no lone surrogate)");
  const instanceId = reader.text("instanceId");
  if (instanceId !== undefined && !INSTANCE_ID_PATTERN.test(instanceId)) {
    reader.fail("instanceId", "must be 1-128 letters, digits, '_', '-' or '.' (not starting with '.')");
  }
  const signingKey = readSigningKey(reader);
  const keyFile = reader.text("keyFile");
  if (signingKey !== undefined && keyFile !== undefined) reader.fail("keyFile", 'cannot be combined with "signingKey"', false);
  const resolved: ResolvedEvidenceOptions = {
    directory,
    tenantId,
    checkpointEvery: reader.positiveInteger("checkpointEvery", 1000),
    checkpointIntervalMs: reader.timeoutMs("checkpointIntervalMs", undefined, 1000),
    fsync: reader.oneOf("fsync", ["batch", "flush"], "batch"),
    maxSegmentBytes: reader.positiveInteger("maxSegmentBytes", 64 * 1024 * 1024),
    maxBacklog: reader.positiveInteger("maxBacklog", 10_000),
    chainIdleMs: reader.timeoutMs("chainIdleMs", undefined, 60_000),
    maxOpenChains: reader.positiveInteger("maxOpenChains", 10_000),
  };
  if (instanceId !== undefined) resolved.instanceId = instanceId;
  if (signingKey !== undefined) resolved.signingKey = signingKey;
  if (keyFile !== undefined) resolved.keyFile = keyFile;
  const keyId = reader.text("keyId");
  if (keyId !== undefined && hasLoneSurrogate(keyId)) reader.fail("keyId", "must be well-formed Unicode (no lone surrogate)");
  if (keyId !== undefined) resolved.keyId = keyId;
  const onCheckpoint = reader.function<NonNullable<ResolvedEvidenceOptions["onCheckpoint"]>>("onCheckpoint");
  if (onCheckpoint !== undefined) resolved.onCheckpoint = onCheckpoint;
  const onError = reader.function<NonNullable<ResolvedEvidenceOptions["onError"]>>("onError");
  if (onError !== undefined) resolved.onError = onError;
  if (reader.has("ship")) resolved.ship = readShipOptions(reader);
  return resolved;
}
