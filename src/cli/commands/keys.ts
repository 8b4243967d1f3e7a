import type { CliIo } from "../io.js";
import { EXIT_USAGE } from "../io.js";

/** Placeholder until the command lands. */
export async function keysCommand(_args: string[], io: CliIo): Promise<number> {
  io.stderr.write("intentproof keys: not implemented yet\n");
  return EXIT_USAGE;
}
