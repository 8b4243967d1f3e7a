import { createHash, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signEd25519 } from "../../src/evidence/ed25519.js";
import { BatchSigner } from "../../src/evidence/signing-worker.js";

const digests = Array.from({ length: 50 }, (_, i) => createHash("sha256").update(`record ${i}`).digest());

describe("BatchSigner", () => {
  it("signs batches on a worker exactly as signing in-thread does (Ed25519 is deterministic)", async () => {
    const { privateKey } = generateKeyPairSync("ed25519");
    const signer = new BatchSigner(privateKey);
    const [a, b] = await Promise.all([signer.signBatch(digests.slice(0, 20)), signer.signBatch(digests.slice(20))]);
    expect([...a, ...b]).toEqual(digests.map((d) => signEd25519(d, privateKey)));
    await signer.close();
  });

  it("falls back to the calling thread when the worker dies, losing nothing", async () => {
    const { privateKey } = generateKeyPairSync("ed25519");
    const signer = new BatchSigner(privateKey);
    const pending = signer.signBatch(digests);
    await (signer as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    expect(await pending).toEqual(digests.map((d) => signEd25519(d, privateKey)));
    expect(await signer.signBatch(digests.slice(0, 3))).toEqual(digests.slice(0, 3).map((d) => signEd25519(d, privateKey)));
    await signer.close();
  });
});
