import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { privateKeyFromSeed, publicKeyFromRaw, rawPublicKey, signEd25519 } from "../../src/evidence/ed25519.js";
import { classifySignatureEnvelope } from "../../src/evidence/signature-envelope.js";

const privateKey = privateKeyFromSeed(Buffer.alloc(32, 7));
const keys = new Map([["k1", publicKeyFromRaw(rawPublicKey(privateKey))]]);
const digest = createHash("sha256").update("signed content").digest();
const signed = { alg: "ed25519", key_id: "k1", value: signEd25519(digest, privateKey) };

describe("classifySignatureEnvelope", () => {
  it("verifies an ed25519 envelope over the digest with the trusted key it names", () => {
    expect(classifySignatureEnvelope(signed, digest, keys)).toEqual({ status: "verified", keyId: "k1" });
  });

  it("tells apart what is missing or wrong, in order: object, field types, alg, key id, signature", () => {
    expect(classifySignatureEnvelope(undefined, digest, keys)).toEqual({ status: "unsigned" });
    expect(classifySignatureEnvelope("k1", digest, keys)).toEqual({ status: "unsigned" });
    expect(classifySignatureEnvelope(null, digest, keys)).toEqual({ status: "unsigned" });
    expect(classifySignatureEnvelope({ ...signed, key_id: 1 }, digest, keys)).toEqual({ status: "malformed" });
    expect(classifySignatureEnvelope({ ...signed, value: 1 }, digest, keys)).toEqual({ status: "malformed", keyId: "k1" });
    expect(classifySignatureEnvelope({ ...signed, alg: "rsa", key_id: "k9" }, digest, keys)).toEqual({ status: "unsupported_alg", alg: "rsa", keyId: "k9" });
    expect(classifySignatureEnvelope({ ...signed, key_id: "k9" }, digest, keys)).toEqual({ status: "key_unknown", keyId: "k9" });
    expect(classifySignatureEnvelope(signed, createHash("sha256").update("other content").digest(), keys)).toEqual({ status: "invalid", keyId: "k1" });
    expect(classifySignatureEnvelope(signed, undefined, keys)).toEqual({ status: "invalid", keyId: "k1" });
  });
});
