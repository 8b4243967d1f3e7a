/**
 * An Ed25519 private key from PEM (PKCS#8) text: the format of the evidence
 * exporter's key file, which `intentproof bundle --signing-key` reads too.
 * It returns what is wrong rather than throwing, so each caller throws its
 * own error type naming its file.
 */
import { createPrivateKey, type KeyObject } from "node:crypto";
import { isEd25519Key } from "./identity-rules.js";

/** The key, or the problem in words that never quote the text (it is a secret). */
export type ParsedPrivateKey = { readonly key: KeyObject; readonly problem?: undefined } | { readonly key?: undefined; readonly problem: string };

export function parseEd25519PrivateKeyPem(pem: string): ParsedPrivateKey {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    return { problem: "not a PEM private key" };
  }
  return isEd25519Key(key, "private") ? { key } : { problem: "not an Ed25519 private key" };
}
