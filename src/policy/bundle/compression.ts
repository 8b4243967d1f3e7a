/**
 * zstd through node:zlib, which has it from Node 22.15 / 23.8 on. Older
 * runtimes write plain `.proof.tar` and cannot read `.proof.tar.zst`.
 */
import * as zlib from "node:zlib";

type Codec = (data: Uint8Array) => Buffer;
const zstd = zlib as unknown as { zstdCompressSync?: Codec; zstdDecompressSync?: Codec };

const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

export function hasZstd(): boolean {
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
  return zstd.zstdCompressSync!(data);
}

/** Archive bytes: decompressed when zstd-framed, as they are otherwise. */
export function tarBytes(data: Buffer, maxBytes = 512 * 1024 * 1024): Buffer {
  if (!isZstdFrame(data)) return data;
  if (!hasZstd()) throw new ZstdUnavailableError();
  return (zstd.zstdDecompressSync as (data: Uint8Array, options?: { maxOutputLength?: number }) => Buffer)(data, { maxOutputLength: maxBytes });
}
