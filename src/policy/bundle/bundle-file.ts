/** Reading proof bundle files (`.proof.tar.zst`, or `.proof.tar`). */
import { readFile } from "node:fs/promises";
import { tarBytes } from "./compression.js";
import { readTar } from "./tar.js";

/** The tar archive of a bundle file, decompressing zstd when needed. @throws ZstdUnavailableError */
export async function readBundleArchive(path: string): Promise<Buffer> {
  return tarBytes(await readFile(path));
}

/** The members of a bundle file, decompressing zstd when needed. @throws ZstdUnavailableError, TarError */
export async function readBundleFile(path: string): Promise<Map<string, Buffer>> {
  return readTar(await readBundleArchive(path));
}
