#!/usr/bin/env node
// The `intentproof` command (package bin). Commands live in src/cli/commands/.
import { processIo } from "./cli/io.js";
import { runCli } from "./cli/main.js";

process.exitCode = await runCli(process.argv.slice(2), processIo());
