import { resolveTrustedKeys, type KeysInput, type TrustedKeys } from "../evidence-input/trusted-keys.js";
import { readBundleArchive } from "./bundle-file.js";
import { readTar, TarError } from "./tar.js";
import { archiveFailure, verifyBundleMembers, type BundleVerification, type BundleVerifyOptions } from "./verify-bundle.js";

/**
 * Verifies a bundle's (decompressed) archive. A tar the bundle writer would
 * not write (another entry type, data after its end, a bad header) fails with
 * the TarError's code: other tar readers could show other files than the
 * ones verified.
 * @throws TarError `bundle.not_a_tar` when the archive is no tar at all
 */
export function verifyBundleArchive(archive: Buffer, trusted: TrustedKeys, options: BundleVerifyOptions = {}): BundleVerification {
  let members: Map<string, Buffer>;
  try {
    members = readTar(archive);
  } catch (error) {
    if (error instanceof TarError && error.code !== "bundle.not_a_tar") return archiveFailure(error);
    throw error;
  }
  return verifyBundleMembers(members, trusted, options);
}

/**
 * Verifies a bundle file against trusted keys (a key-set file path, a key set, or keys by id).
 * @throws an unreadable file, ZstdUnavailableError, TarError for a file that is not a tar
 */
export async function verifyBundleFile(path: string, keys: KeysInput, options: BundleVerifyOptions = {}): Promise<BundleVerification> {
  const trusted = await resolveTrustedKeys(keys);
  return verifyBundleArchive(await readBundleArchive(path), trusted, options);
}
