/**
 * Reads the evidence `check` and `bundle` work on: a directory (searched
 * recursively for `*.jsonl`, e.g. the evidence log's `events-000001.jsonl`
 * segments) or one `.jsonl` file. Lines that are signed v1 records are kept;
 * other objects of the log (checkpoints) are skipped; camelCase
 * ExecutionEvents (e.g. a captured stderr exporter stream) are accepted too.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { ExecutionEvent } from "../../core/types.js";
import type { EventRecordV1 } from "../flow-builder.js";

export interface EvidenceInput {
  readonly records: EventRecordV1[];
  readonly executionEvents: ExecutionEvent[];
  /** Lines that were not JSON objects, as `file:line`. */
  readonly unreadable: string[];
}

async function jsonlFiles(path: string): Promise<string[]> {
  const info = await stat(path);
  if (info.isFile()) return [path];
  const files: string[] = [];
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) files.push(...(await jsonlFiles(child)));
    else if (entry.isFile() && entry.name.endsWith(".jsonl")) files.push(child);
  }
  return files.sort();
}

function isRecord(value: Record<string, unknown>): boolean {
  return value.schema === "intentproof.event.v1";
}

function isExecutionEvent(value: Record<string, unknown>): boolean {
  return typeof value.id === "string" && typeof value.action === "string" && typeof value.startedAt === "string";
}

/** @throws TypeError when `path` cannot be read. */
export async function readEvidence(path: string): Promise<EvidenceInput> {
  let files: string[];
  try {
    files = await jsonlFiles(path);
  } catch (error) {
    throw new TypeError(`${path}: cannot read evidence (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const input: EvidenceInput = { records: [], executionEvents: [], unreadable: [] };
  for (const file of files) {
    const lines = (await readFile(file, "utf8")).split("\n");
    lines.forEach((line, i) => {
      if (line.trim() === "") return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        input.unreadable.push(`${file}:${i + 1}`);
        return;
      }
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        input.unreadable.push(`${file}:${i + 1}`);
        return;
      }
      const object = value as Record<string, unknown>;
      if (isRecord(object)) input.records.push(object as EventRecordV1);
      else if (isExecutionEvent(object)) input.executionEvents.push(object as unknown as ExecutionEvent);
    });
  }
  return input;
}

/** Records grouped by correlation id, in first-seen order. */
export function byCorrelation<T>(items: readonly T[], correlationOf: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const id = correlationOf(item);
    if (id === undefined) continue;
    const group = groups.get(id);
    if (group === undefined) groups.set(id, [item]);
    else group.push(item);
  }
  return groups;
}
