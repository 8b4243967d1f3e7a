/**
 * Whether a file is a proof bundle by its content, whatever its name (a
 * bundle saved as `r5.bin` is not an evidence log with unreadable lines):
 * a zstd frame, or a tar header's ustar magic at byte 257. Neither can start
 * a JSONL log: 0xb5 is no UTF-8 lead byte, and the magic's NUL cannot stand
 * raw in JSON text.
 */
import { open } from "node:fs/promises";

const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
// POSIX "ustar\0" (version "00"), or GNU's "ustar " with version " \0".
const USTAR_MAGIC = Buffer.from("ustar\0", "latin1");
const GNU_MAGIC = Buffer.from("ustar  \0", "latin1");

export function hasBundleMagic(head: Buffer): boolean {
  if (head.subarray(0, 4).equals(ZSTD_MAGIC)) return true;
  return head.subarray(257, 263).equals(USTAR_MAGIC) || head.subarray(257, 265).equals(GNU_MAGIC);
}

/** False for a directory or an unreadable path (the log reader reports those). */
export async function isBundleFile(path: string): Promise<boolean> {
  let file;
  try {
    file = await open(path, "r");
    if (!(await file.stat()).isFile()) return false;
    const head = Buffer.alloc(265);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    return hasBundleMagic(head.subarray(0, bytesRead));
  } catch {
    return false;
  } finally {
    await file?.close();
  }
}
