/**
 * Reads evidence for verification (or for policy checks): an evidence
 * directory (one sub-directory per instance), one instance directory, or a
 * single `.jsonl` file. Each stream keeps its lines in log order.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { CHECKPOINT_SCHEMA, type CheckpointRecord } from "./checkpoint.js";
import { IDENTITY_FILE } from "./instance-store.js";
import { EVENT_SCHEMA, type EvidenceRecord } from "./record.js";
import { listSegments } from "./segment-log.js";

/**
 * `text` is the line as read: the verifier holds it against the exact text
 * the writer writes for `record`. A line that is not JSON keeps only its
 * length: it may be anything (a key file given by mistake), and is never
 * quoted. `cut` marks the text after a segment's last newline.
 */
export type LogEntry =
  | { kind: "event"; record: EvidenceRecord; text: string; file: string; line: number }
  | { kind: "checkpoint"; record: CheckpointRecord; text: string; file: string; line: number }
  | { kind: "other"; value: unknown; file: string; line: number }
  | { kind: "unparseable"; length: number; cut?: true; blank?: true; file: string; line: number };

/** The lines of one writer's log (one instance directory, or one file), in order. */
export interface LogStream {
  /** The instance directory or the file. */
  source: string;
  files: string[];
  entries: LogEntry[];
  /** Bytes after the last newline of the last file: a torn write not yet repaired. */
  tornTail?: { file: string; bytes: number };
}

function parseLines(text: string, file: string, into: LogEntry[]): number {
  const lines = text.split("\n");
  const tail = lines.pop() as string;
  lines.forEach((raw, index) => {
    const line = index + 1;
    // The writer never writes a blank line (a torn tail is cut back to a newline): one is an edit, kept as a line.
    if (raw.trim() === "") {
      into.push({ kind: "unparseable", length: raw.length, blank: true, file, line });
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      into.push({ kind: "unparseable", length: raw.length, file, line });
      return;
    }
    const schema = (value as { schema?: unknown } | null)?.schema;
    if (schema === EVENT_SCHEMA) into.push({ kind: "event", record: value as EvidenceRecord, text: raw, file, line });
    else if (schema === CHECKPOINT_SCHEMA) into.push({ kind: "checkpoint", record: value as CheckpointRecord, text: raw, file, line });
    else into.push({ kind: "other", value, file, line });
  });
  return Buffer.byteLength(tail, "utf8");
}

async function readStream(source: string, files: string[]): Promise<LogStream> {
  const stream: LogStream = { source, files, entries: [] };
  for (let i = 0; i < files.length; i++) {
    const file = files[i] as string;
    const torn = parseLines(await readFile(file, "utf8"), file, stream.entries);
    if (torn > 0) {
      if (i === files.length - 1) stream.tornTail = { file, bytes: torn };
      else stream.entries.push({ kind: "unparseable", length: torn, cut: true, file, line: 0 });
    }
  }
  return stream;
}

/** Whether `path` holds an instance's identity.json (written before its first segment). */
async function hasIdentity(path: string): Promise<boolean> {
  try {
    return (await stat(join(path, IDENTITY_FILE))).isFile();
  } catch {
    return false;
  }
}

/**
 * The log streams of the instance directory `path`: one, empty when the
 * instance's identity is there but its segments are not (deleted, so that the
 * verifier can say so); none for a directory that is no instance.
 */
async function instanceStreams(path: string): Promise<LogStream[]> {
  const segments = await listSegments(path);
  if (segments.length > 0) return [await readStream(path, segments.map((s) => s.path))];
  return (await hasIdentity(path)) ? [{ source: path, files: [], entries: [] }] : [];
}

/**
 * The log streams at `target`.
 * @throws Error when `target` does not exist or holds no evidence log.
 */
export async function readEvidence(target: string): Promise<LogStream[]> {
  const info = await stat(target);
  if (info.isFile()) return [await readStream(target, [target])];
  const own = await instanceStreams(target);
  if (own.length > 0) return own;
  const streams: LogStream[] = [];
  const entries = (await readdir(target, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  for (const name of entries) streams.push(...(await instanceStreams(join(target, name))));
  if (streams.length === 0) {
    // A directory of plain .jsonl files (e.g. copied out of a log): one stream per file.
    const files = (await readdir(target)).filter((n) => n.endsWith(".jsonl")).sort();
    for (const name of files) streams.push(await readStream(join(target, name), [join(target, name)]));
  }
  if (streams.length === 0) throw new Error(`${basename(target)} holds no evidence log (no events-*.jsonl segments, no .jsonl files)`);
  return streams;
}
