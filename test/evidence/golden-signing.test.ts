import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { privateKeyFromSeed, publicKeyFromRaw, rawPublicKey, signEd25519, verifyEd25519 } from "../../src/evidence/ed25519.js";
import { eventDigest, eventHash, GENESIS_PREV_HASH } from "../../src/evidence/event-hash.js";
import { canonicalize } from "../../src/evidence/jcs.js";

const dir = new URL("../../spec-v1/golden/sdk-signing/", import.meta.url);
const read = (name: string) => readFileSync(new URL(name, dir));
const text = (name: string) => read(name).toString("utf8").trim();

describe("spec-v1 golden signing vectors", () => {
  const unsigned = JSON.parse(text("signing_unsigned_event.json")) as Record<string, unknown>;

  it("reproduces the canonical UTF-8 bytes byte for byte", () => {
    expect(Buffer.from(canonicalize(unsigned), "utf8").equals(read("signing_canonical_utf8.txt"))).toBe(true);
  });

  it("reproduces the event hash", () => {
    expect(eventHash(unsigned)).toBe(text("signing_event_hash.txt"));
    expect(unsigned.prev_event_hash).toBe(GENESIS_PREV_HASH);
  });

  it("reproduces the Ed25519 signature over the 32 digest bytes", () => {
    const key = privateKeyFromSeed(Buffer.from(text("signing_private_key_b64.txt"), "base64"));
    const signature = signEd25519(eventDigest(unsigned), key);
    expect(signature).toBe(text("signing_signature_b64.txt"));
    const publicKey = publicKeyFromRaw(rawPublicKey(key));
    expect(verifyEd25519(eventDigest(unsigned), signature, publicKey)).toBe(true);
  });

  it("hashes the record without its signature, and any change breaks verification", () => {
    const key = privateKeyFromSeed(Buffer.from(text("signing_private_key_b64.txt"), "base64"));
    const signed = { ...unsigned, signature: { alg: "ed25519", key_id: "inst_golden_test:k1", value: text("signing_signature_b64.txt") } };
    expect(eventHash(signed)).toBe(text("signing_event_hash.txt"));
    const changed = { ...signed, output: 11 };
    expect(verifyEd25519(eventDigest(changed), signed.signature.value, publicKeyFromRaw(rawPublicKey(key)))).toBe(false);
    expect(verifyEd25519(eventDigest(signed), "not base64", publicKeyFromRaw(rawPublicKey(key)))).toBe(false);
  });
});
