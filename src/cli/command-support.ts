/** Shared by the `check`, `bundle` and bundle-`verify` commands: argument parsing and input loading with exit-2 errors. */
import { readFile } from "node:fs/promises";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { printableLines } from "./printable.js";
import { parseAttestationsJsonl } from "../policy/attestations.js";
import { loadPolicyFile } from "../policy/load-policy.js";
import type { Attestation, Policy } from "../policy/types.js";

/** An input the command cannot use: reported on stderr, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export interface CommandArgs {
  readonly values: Record<string, string | boolean | undefined>;
  readonly positionals: string[];
}

/** @param usage the command's usage line, printed after parseArgs's own message (an unknown option, a missing value). */
export function parseCommandArgs(command: string, args: string[], options: NonNullable<ParseArgsConfig["options"]>, usage: string): CommandArgs {
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: values as CommandArgs["values"], positionals };
  } catch (error) {
    throw new UsageError(`intentproof ${command}: ${(error as Error).message}\n${usage}`);
  }
}

export async function policyFromFile(path: string | undefined, command: string): Promise<Policy> {
  if (path === undefined) throw new UsageError(`intentproof ${command}: --policy <file> is required`);
  try {
    return await loadPolicyFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === undefined ? (error as Error).message : `${path}: cannot read the policy (${code})`);
  }
}

export async function attestationsFromFile(path: string | undefined): Promise<Attestation[]> {
  if (path === undefined) return [];
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new UsageError(`${path}: cannot read the attestations (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    return parseAttestationsJsonl(text, path);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Runs a command body, turning UsageError and TypeError (bad input) into exit code 2. */
export async function withUsageErrors(stderr: { write(text: string): unknown }, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof UsageError || error instanceof TypeError) {
      stderr.write(`${printableLines(error.message)}\n`);
      return 2;
    }
    throw error;
  }
}
