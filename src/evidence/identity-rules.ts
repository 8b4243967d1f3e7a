/**
 * What an instance id and a signing key must look like, checked when
 * EvidenceExporter reads its options (synchronously, in the constructor, so
 * part of the import-time code); a key read from a file is checked again when
 * the machinery opens the instance (loaded later). This file imports nothing,
 * so the first check pulls in neither node:crypto nor the instance store.
 */
import type { KeyObject } from "node:crypto";

/** Instance ids name directories: letters, digits, `_`, `-`, `.`, not starting with a dot. */
export const INSTANCE_ID_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/;

/** True when `key` is an Ed25519 key of the given type. */
export function isEd25519Key(key: KeyObject, type: "private" | "public"): boolean {
  return key.type === type && key.asymmetricKeyType === "ed25519";
}
