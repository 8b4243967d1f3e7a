/**
 * The append-only JSONL log of one instance: segments `events-000001.jsonl`,
 * `events-000002.jsonl`, … each holding whole lines (a sealed event or a
 * checkpoint), rotated when a segment reaches `maxSegmentBytes`.
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
   * Appends `lines` (whole lines, in order). On failure the segment is cut
   * back to its length before the call and the error is rethrown; nothing
   * partial stays.
   */
  async append(lines: readonly Uint8Array[]): Promise<void> {
    if (this.size >= this.options.maxSegmentBytes) await this.rotate();
    let length = 0;
    for (const line of lines) length += line.byteLength;
    const before = this.size;
    try {
      // One gathering write; a short write, rare on a regular file, is
      // finished from one joined copy.
      let written = (await this.handle.writev(lines as Uint8Array[])).bytesWritten;
      if (written < length) {
        const bytes = Buffer.concat(lines as Uint8Array[], length);
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
    await this.handle.close();
    this.segment += 1;
    this.handle = await open(join(this.instancePath, segmentFileName(this.segment)), "a", 0o644);
    this.size = 0;
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
          await appendFile(`${path}.torn`, data.subarray(start));
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
    const handle = await open(path, "a", 0o644);
    const { size } = await stat(path);
    return repaired === undefined
      ? { log: new SegmentLog(instancePath, options, handle, segment, size) }
      : { log: new SegmentLog(instancePath, options, handle, segment, size), repaired };
  }
}
