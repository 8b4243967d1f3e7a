import { resolveTrustedKeys, type KeysInput } from "../evidence-input/trusted-keys.js";
import { readBundleFile } from "./bundle-file.js";
import { verifyBundleMembers, type BundleVerification, type BundleVerifyOptions } from "./verify-bundle.js";

/** Verifies a bundle file against trusted keys (a key-set file path, a key set, or keys by id). */
export async function verifyBundleFile(path: string, keys: KeysInput, options: BundleVerifyOptions = {}): Promise<BundleVerification> {
  return verifyBundleMembers(await readBundleFile(path), await resolveTrustedKeys(keys), options);
}
