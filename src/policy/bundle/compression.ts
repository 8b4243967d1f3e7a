/**
 * zstd through node:zlib, which has it from Node 22.15 / 23.8 on. Older
 * runtimes write plain `.proof.tar` and cannot read `.proof.tar.zst`.
 */
type Codec = (data: Uint8Array) => Buffer;
type Zstd = { zstdCompressSync?: Codec; zstdDecompressSync?: Codec };

// node:zlib is fetched when a bundle is made or read, not imported:
// createProofBundle is part of `import "intentproof"`, and loading zlib
// costs a millisecond or two of that cold import.
function zlib(): Zstd {
  return process.getBuiltinModule("node:zlib") as unknown as Zstd;
}

const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

export function hasZstd(): boolean {
  const zstd = zlib();
  return typeof zstd.zstdCompressSync === "function" && typeof zstd.zstdDecompressSync === "function";
}

export function isZstdFrame(data: Uint8Array): boolean {
  return data.length >= 4 && ZSTD_MAGIC.every((byte, i) => data[i] === byte);
}

export class ZstdUnavailableError extends Error {
  override name = "ZstdUnavailableError";
  constructor() {
    super(
      `this bundle is zstd-compressed and Node ${process.versions.node} has no zstd in node:zlib (Node >= 22.15 has); ` +
        "decompress it first (zstd -d <bundle>.proof.tar.zst) and verify the .proof.tar",
    );
  }
}

export function zstdCompress(data: Uint8Array): Buffer {
  if (!hasZstd()) throw new ZstdUnavailableError();
  return zlib().zstdCompressSync!(data);
}

/** Archive bytes: decompressed when zstd-framed, as they are otherwise. */
export function tarBytes(data: Buffer, maxBytes = 512 * 1024 * 1024): Buffer {
  if (!isZstdFrame(data)) return data;
  if (!hasZstd()) throw new ZstdUnavailableError();
  return (zlib().zstdDecompressSync as (data: Uint8Array, options?: { maxOutputLength?: number }) => Buffer)(data, { maxOutputLength: maxBytes });
}
