/**
 * Evidence is business data (inputs, outcomes, correlation ids, who called):
 * everything the exporter creates is owner-only, like the signing key. The
 * mode applies when a file or directory is created (and the umask can only
 * narrow it); an existing one keeps the mode its owner gave it.
 */
import { open, rename, rm } from "node:fs/promises";

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIRECTORY_MODE = 0o700;

/**
 * Replaces `path` whole through `temporary` and a rename, so a crash leaves
 * the old or the new file, never half of one. A temporary left by an earlier
 * crash is removed first: reusing it would keep its mode.
 */
export async function replacePrivateFile(temporary: string, path: string, text: string): Promise<void> {
  await rm(temporary, { force: true });
  const handle = await open(temporary, "wx", PRIVATE_FILE_MODE);
  try {
    await handle.writeFile(text);
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
}
