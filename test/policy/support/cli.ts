import type { CliIo } from "../../../src/cli/io.js";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command function with captured output. */
export async function runCommand(command: (args: string[], io: CliIo) => Promise<number>, args: string[]): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await command(args, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}
