import type { CliIo } from "../io.js";
import { EXIT_USAGE } from "../io.js";

/** Placeholder: verification of `.proof.tar.zst` bundles lands with the policy layer. */
export async function verifyBundleCommand(_args: string[], io: CliIo): Promise<number> {
  io.stderr.write("intentproof verify: bundle verification is not implemented yet\n");
  return EXIT_USAGE;
}
