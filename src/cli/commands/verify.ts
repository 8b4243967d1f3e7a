/**
 * `intentproof verify <evidence dir | .jsonl file> --keys <keys.json> [--json] [--checkpoint <file>]`
 *
 * Keys come only from --keys: a verifier that trusted keys found next to the
 * data would accept anything an attacker re-signed.
 */
import { readFile, stat } from "node:fs/promises";
import { parseArgs } from "node:util";
import type { CheckpointRecord } from "../../evidence/checkpoint.js";
import { parseKeySet } from "../../evidence/key-set.js";
import { readEvidence } from "../../evidence/log-reader.js";
import type { VerifyReport } from "../../evidence/verify/findings.js";
import { verifyStreams } from "../../evidence/verify/verify-log.js";
import { isBundleFile } from "../bundle-magic.js";
import type { CliIo } from "../io.js";
import { EXIT_FAIL, EXIT_PASS, EXIT_USAGE } from "../io.js";
import { jsonText, printable as p, printableLines } from "../printable.js";

const USAGE =
  "usage: intentproof verify <evidence directory | .jsonl file> --keys <keys.json> [--json] [--checkpoint <witnessed checkpoints .json/.jsonl>]\n" +
  "       intentproof verify <bundle.proof.tar[.zst]> --keys <keys.json> [--policy <expected policy file>] [--require-signed] [--json]\n";

const BUNDLE = /\.(tar|tar\.zst|tzst)$/;

function usageError(io: CliIo, message: string): number {
  io.stderr.write(`intentproof verify: ${printableLines(message)}\n${USAGE}`);
  return EXIT_USAGE;
}

async function readWitnessed(path: string): Promise<CheckpointRecord[]> {
  const text = (await readFile(path, "utf8")).trim();
  if (text.startsWith("[")) return JSON.parse(text) as CheckpointRecord[];
  return text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as CheckpointRecord);
}

// Ids and details quote the evidence: printed through p().
function human(report: VerifyReport, target: string): string {
  const counts = `${report.events} events, ${report.chains} chains, ${report.checkpoints} checkpoints`;
  // Warnings do not fail verification; they say what this log cannot show.
  const warnings = report.warnings.map((w) => `  ⚠ ${p(w.reason)}: ${p(w.detail)}\n`).join("");
  if (report.status === "pass") return `✓ pass: ${p(target)} (${counts})\n${warnings}`;
  const lines = report.findings.map((f) => {
    const about = [f.correlation_id === undefined ? "" : `correlation ${p(f.correlation_id)}`, f.event_id === undefined ? "" : `event ${p(f.event_id)}`]
      .filter((s) => s !== "")
      .join(", ");
    return `  ✗ ${p(f.reason)}${about === "" ? "" : ` (${about})`}: ${p(f.detail)}`;
  });
  return `✗ fail: ${p(target)} (${counts}; ${report.findings.length} finding(s))\n${lines.join("\n")}\n${warnings}`;
}

export async function verifyCommand(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      // `policy` and `require-signed` belong to bundle verification; they are accepted here so that a bundle reaches them.
      options: {
        keys: { type: "string" },
        json: { type: "boolean", default: false },
        checkpoint: { type: "string" },
        policy: { type: "string" },
        "require-signed": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    return usageError(io, (error as Error).message);
  }
  if (parsed.values.help === true) {
    io.stdout.write(USAGE);
    return EXIT_PASS;
  }
  const [target, ...extra] = parsed.positionals;
  if (target === undefined) return usageError(io, "give an evidence directory or a .jsonl file");
  if (extra.length > 0) return usageError(io, `unexpected argument "${extra[0]}"`);
  if (BUNDLE.test(target) || (await isBundleFile(target))) {
    if (parsed.values.checkpoint !== undefined) return usageError(io, "--checkpoint applies to an evidence log (directory or .jsonl), not to a bundle");
    return (await import("./verify-bundle.js")).verifyBundleCommand(args, io);
  }
  if (parsed.values.policy !== undefined) return usageError(io, "--policy applies to a bundle (.proof.tar or .proof.tar.zst), not to an evidence log");
  if (parsed.values["require-signed"] !== undefined) return usageError(io, "--require-signed applies to a bundle (.proof.tar or .proof.tar.zst), not to an evidence log");
  if (parsed.values.keys === undefined) return usageError(io, "--keys <keys.json> is required (the public keys you trust; see `intentproof keys export`)");

  let keys;
  try {
    keys = parseKeySet(JSON.parse(await readFile(parsed.values.keys, "utf8")));
  } catch (error) {
    return usageError(io, `cannot use the key set ${parsed.values.keys}: ${(error as Error).message}`);
  }
  let witnessed: CheckpointRecord[] | undefined;
  if (parsed.values.checkpoint !== undefined) {
    try {
      witnessed = await readWitnessed(parsed.values.checkpoint);
    } catch (error) {
      return usageError(io, `cannot read the witnessed checkpoints ${parsed.values.checkpoint}: ${(error as Error).message}`);
    }
  }
  let streams;
  try {
    await stat(target);
    streams = await readEvidence(target);
  } catch (error) {
    return usageError(io, `cannot read ${target}: ${(error as Error).message}`);
  }
  const report = verifyStreams(streams, witnessed === undefined ? { keys } : { keys, witnessed });
  io.stdout.write(parsed.values.json ? jsonText(report) : human(report, target));
  return report.status === "pass" ? EXIT_PASS : EXIT_FAIL;
}
