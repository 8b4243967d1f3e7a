/**
 * Dispatches `intentproof <command> …` to one command module. Each command is
 * loaded on demand, so `intentproof verify` never loads the policy engine.
 * Exit codes, shared by every command: 0 pass, 1 fail (or inconclusive), 2
 * unusable input or arguments.
 */
import type { CliIo } from "./io.js";
import { EXIT_USAGE } from "./io.js";
import { VERSION } from "../core/version.js";
import { printable } from "./printable.js";

type Command = (args: string[], io: CliIo) => Promise<number>;

/** `answersHelp`: the command prints its own, longer help for --help. */
const COMMANDS: Record<string, { summary: string; answersHelp?: true; load: () => Promise<Command> }> = {
  verify: {
    summary:
      "verify <evidence dir | .jsonl | bundle> --keys <keys.json> [--json] (a log: [--checkpoint <witnessed checkpoints .json/.jsonl>]; a bundle: [--policy <file>] [--require-signed])",
    answersHelp: true,
    load: async () => (await import("./commands/verify.js")).verifyCommand,
  },
  keys: {
    summary: "keys export <evidence dir>",
    answersHelp: true,
    load: async () => (await import("./commands/keys.js")).keysCommand,
  },
  check: {
    summary: "check --policy <file> <evidence dir | .jsonl> [--attestations <file>] [--correlation <id>] [--keys <keys.json>] [--json]",
    load: async () => (await import("./commands/check.js")).checkCommand,
  },
  bundle: {
    summary:
      "bundle <evidence dir> --correlation <id> --policy <file> --keys <keys.json> --out <file> [--signing-key <pem file>] [--attestations <file>] [--allow-unattested] [--json]",
    load: async () => (await import("./commands/bundle.js")).bundleCommand,
  },
};

function usage(): string {
  const lines = Object.values(COMMANDS).map((command) => `  intentproof ${command.summary}`);
  return `usage:\n${lines.join("\n")}\n  intentproof --version\n`;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name === undefined ? io.stderr : io.stdout).write(usage());
    return name === undefined ? EXIT_USAGE : 0;
  }
  if (name === "--version" || name === "-V") {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.stderr.write(`intentproof: unknown command "${printable(name)}"\n${usage()}`);
    return EXIT_USAGE;
  }
  if (command.answersHelp !== true && (rest.includes("--help") || rest.includes("-h"))) {
    io.stdout.write(`usage: intentproof ${command.summary}\n`);
    return 0;
  }
  return (await command.load())(rest, io);
}
