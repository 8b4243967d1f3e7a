/**
 * The append-only JSONL log of one instance: segments `events-000001.jsonl`,
 * `events-000002.jsonl`, … each holding whole lines (a sealed event or a
 * checkpoint). A segment never grows past `maxSegmentBytes`: a write that
 * would take it past is split between lines, the rest going to a new
 * segment. A line never is: one longer than the bound gets a segment of its
 * own. Files are created 0600.
 *
 * Writes are sequential and each ends on a line boundary. A write that fails
 * part-way (a full disk) is cut back to the last whole line, so the file
 * never keeps half a record; the caller keeps the text and retries. A crash
 * mid-write (kill -9) can still leave a torn last line: `openSegmentLog` cuts
 * it off (keeping the cut bytes in `<segment>.torn` for inspection) and
 * reports it.
 */
import { appendFile, open, readdir, readFile, stat, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { PRIVATE_FILE_MODE } from "./private-files.js";

const NEWLINE = 0x0a;

export const SEGMENT_PATTERN = /^events-(\d{6,})\.jsonl$/;

export function segmentFileName(index: number): string {
  return `events-${String(index).padStart(6, "0")}.jsonl`;
}

/** The segment files of an instance directory, in log order. */
export async function listSegments(instancePath: string): Promise<{ index: number; path: string }[]> {
  let names: string[];
  try {
    names = await readdir(instancePath);
  } catch {
    return [];
  }
  return names
    .map((name) => ({ name, match: SEGMENT_PATTERN.exec(name) }))
    .filter((e) => e.match !== null)
    .map((e) => ({ index: Number(e.match![1]), path: join(instancePath, e.name) }))
    .sort((a, b) => a.index - b.index);
}

/** A position in the log: the byte offset just after a whole line of a segment. */
export interface LogPosition {
  segment: number;
  offset: number;
}

/** A torn last line that was cut off when the log was opened. */
export interface TornLineRepair {
  segment: string;
  offset: number;
  bytes: number;
}

export interface SegmentLogOptions {
  maxSegmentBytes: number;
}

export class SegmentLog {
  private constructor(
    private readonly instancePath: string,
    private readonly options: SegmentLogOptions,
    private handle: FileHandle,
    private segment: number,
    private size: number,
  ) {}

  /** Where the next line will start. */
  position(): LogPosition {
    return { segment: this.segment, offset: this.size };
  }

  /**
   * Appends `pieces` from `progress.next` on: bytes that make whole lines in
   * order, a line possibly spanning pieces (it ends with the piece that ends
   * in "\n"). A new segment starts before a line that would take the current
   * one past maxSegmentBytes. `progress.next` moves past each part as it
   * lands, so a retry after a failure resumes there and never writes a part
   * twice. On failure the segment is cut back to its length before the
   * failed part and the error is rethrown; nothing partial stays.
   */
  async append(pieces: readonly Uint8Array[], progress: { next: number } = { next: 0 }): Promise<void> {
    const max = this.options.maxSegmentBytes;
    while (progress.next < pieces.length) {
      const start = progress.next;
      let end = start;
      let length = 0;
      let lineLength = 0;
      for (let i = start; i < pieces.length; i++) {
        const piece = pieces[i] as Uint8Array;
        lineLength += piece.byteLength;
        if (piece[piece.byteLength - 1] !== NEWLINE && i < pieces.length - 1) continue;
        // An empty segment takes its first line whatever its size: lines are never split.
        if (this.size + length + lineLength > max && this.size + length > 0) break;
        length += lineLength;
        lineLength = 0;
        end = i + 1;
      }
      if (end === start) {
        await this.rotate();
        continue;
      }
      await this.write(start === 0 && end === pieces.length ? pieces : pieces.slice(start, end), length);
      progress.next = end;
    }
  }

  private async write(pieces: readonly Uint8Array[], length: number): Promise<void> {
    const before = this.size;
    try {
      // One gathering write; a short write, rare on a regular file, is
      // finished from one joined copy.
      let written = (await this.handle.writev(pieces as Uint8Array[])).bytesWritten;
      if (written < length) {
        const bytes = Buffer.concat(pieces as Uint8Array[], length);
        while (written < length) written += (await this.handle.write(bytes, written, length - written)).bytesWritten;
      }
      this.size += length;
    } catch (error) {
      await this.handle.truncate(before).catch(() => undefined);
      throw error;
    }
  }

  /** fdatasync: everything appended so far is on disk when it resolves. */
  async sync(): Promise<void> {
    await this.handle.datasync();
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  private async rotate(): Promise<void> {
    await this.handle.datasync();
    // The new segment opens before the old one closes: a failed open leaves
    // the log as it was, so a retry can rotate again.
    const next = await open(join(this.instancePath, segmentFileName(this.segment + 1)), "a", PRIVATE_FILE_MODE);
    const previous = this.handle;
    this.handle = next;
    this.segment += 1;
    this.size = 0;
    await previous.close().catch(() => undefined);
  }

  /**
   * Opens the log for appending after replaying it from `from` (the start
   * when absent): `onLine` receives every whole line after that position,
   * in order. A torn last line is repaired first.
   */
  static async open(
    instancePath: string,
    options: SegmentLogOptions,
    from: LogPosition | undefined,
    onLine: (line: string, at: LogPosition) => void,
  ): Promise<{ log: SegmentLog; repaired?: TornLineRepair }> {
    const segments = await listSegments(instancePath);
    let repaired: TornLineRepair | undefined;
    for (const { index, path } of segments) {
      if (from !== undefined && index < from.segment) continue;
      // Only regular files hold log lines (a device such as /dev/full would read forever).
      if (!(await stat(path)).isFile()) continue;
      const data = await readFile(path);
      let start = from !== undefined && index === from.segment ? Math.min(from.offset, data.length) : 0;
      while (start < data.length) {
        const end = data.indexOf(0x0a, start);
        if (end === -1) {
          repaired = { segment: path, offset: start, bytes: data.length - start };
          await appendFile(`${path}.torn`, data.subarray(start), { mode: PRIVATE_FILE_MODE });
          const handle = await open(path, "r+");
          try {
            await handle.truncate(start);
            await handle.datasync();
          } finally {
            await handle.close();
          }
          break;
        }
        onLine(data.toString("utf8", start, end), { segment: index, offset: end + 1 });
        start = end + 1;
      }
    }
    const last = segments.at(-1);
    const segment = last?.index ?? 1;
    const path = join(instancePath, segmentFileName(segment));
    const handle = await open(path, "a", PRIVATE_FILE_MODE);
    const { size } = await stat(path);
    return repaired === undefined
      ? { log: new SegmentLog(instancePath, options, handle, segment, size) }
      : { log: new SegmentLog(instancePath, options, handle, segment, size), repaired };
  }
}
