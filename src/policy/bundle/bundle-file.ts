/** Reading proof bundle files (`.proof.tar.zst`, or `.proof.tar`). */
import { readFile } from "node:fs/promises";
import { tarBytes } from "./compression.js";
import { readTar } from "./tar.js";

/** The members of a bundle file, decompressing zstd when needed. @throws ZstdUnavailableError, TarError */
export async function readBundleFile(path: string): Promise<Map<string, Buffer>> {
  return readTar(tarBytes(await readFile(path)));
}
