import { exportPublicKeys } from "../../evidence/public-keys.js";
import type { CliIo } from "../io.js";
import { EXIT_PASS, EXIT_USAGE } from "../io.js";
import { jsonText, printable as p, printableLines } from "../printable.js";

const USAGE = "usage: intentproof keys export <evidence directory>\n";

/** `intentproof keys export <dir>`: prints the public key set of every instance in an evidence directory. */
export async function keysCommand(args: string[], io: CliIo): Promise<number> {
  const [action, directory, ...rest] = args;
  if (action === "--help" || action === "-h") {
    io.stdout.write(USAGE);
    return EXIT_PASS;
  }
  if (action !== "export" || directory === undefined || rest.length > 0) {
    io.stderr.write(USAGE);
    return EXIT_USAGE;
  }
  let set;
  try {
    set = await exportPublicKeys(directory);
  } catch (error) {
    io.stderr.write(`intentproof keys: ${printableLines((error as Error).message)}\n`);
    return EXIT_USAGE;
  }
  if (set.keys.length === 0) {
    io.stderr.write(`intentproof keys: no evidence instance (identity.json) found in ${p(directory)}\n`);
    return EXIT_USAGE;
  }
  io.stdout.write(jsonText(set));
  return EXIT_PASS;
}
