/**
 * One-shot SHA-256 for the evidence and policy layers: `crypto.hash`
 * (Node >= 20.12) makes no Hash object per digest, which matters when a
 * closed flow hashes every one of its events.
 *
 * `node:crypto` is fetched on the first digest, not imported: these layers
 * are part of `import "intentproof"`, loading the module costs a few ms of
 * that cold import, and most processes hash nothing until they seal or
 * evaluate (by which time the app has often loaded it anyway).
 */
let hash: typeof import("node:crypto").hash | undefined;

function oneShot(): typeof import("node:crypto").hash {
  hash ??= process.getBuiltinModule("node:crypto").hash;
  return hash;
}

/** The 32 digest bytes of SHA-256(data). */
export function sha256(data: string | Uint8Array): Buffer {
  return oneShot()("sha256", data, "buffer");
}

/** Lower-case hex of SHA-256(data). */
export function sha256Hex(data: string | Uint8Array): string {
  return oneShot()("sha256", data, "hex");
}
