/** Writing and reading proof bundle files (`.proof.tar.zst`, or `.proof.tar` without zstd). */
import { readFile, writeFile } from "node:fs/promises";
import { hasZstd, tarBytes, zstdCompress } from "./compression.js";
import { readTar, writeTar, type TarMember } from "./tar.js";

export interface WrittenBundle {
  readonly path: string;
  readonly compressed: boolean;
  /** Why the bundle is plain tar, when it is. */
  readonly note?: string;
}

/**
 * Writes `members` as zstd-compressed tar when the runtime has zstd and `out`
 * does not ask for plain `.tar`; otherwise as plain tar, with `.zst` dropped
 * from the name.
 */
export async function writeBundleFile(out: string, members: readonly TarMember[]): Promise<WrittenBundle> {
  const tar = writeTar(members);
  const wantsPlain = out.endsWith(".tar");
  if (!wantsPlain && hasZstd()) {
    const path = out.endsWith(".zst") ? out : `${out}.zst`;
    await writeFile(path, zstdCompress(tar));
    return { path, compressed: true };
  }
  const path = out.endsWith(".zst") ? out.slice(0, -".zst".length) : out;
  await writeFile(path, tar);
  return wantsPlain
    ? { path, compressed: false }
    : { path, compressed: false, note: `plain tar: Node ${process.versions.node} has no zstd in node:zlib (Node >= 22.15 has)` };
}

/** The members of a bundle file, decompressing zstd when needed. @throws ZstdUnavailableError, TarError */
export async function readBundleFile(path: string): Promise<Map<string, Buffer>> {
  return readTar(tarBytes(await readFile(path)));
}
