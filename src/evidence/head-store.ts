/**
 * Where chain heads go when their chain leaves memory, so a correlation that
 * comes back (after the idle window, or after a restart) continues its chain
 * instead of starting a second position 1.
 *
 * Heads are appended to 16 bucket files `heads/<x>.jsonl` (x: first hex
 * digit of SHA-256 of the correlation id; the highest position for a
 * correlation wins), so a checkpoint opens at most 16 files.
 * A fixed 1 MiB Bloom filter over persisted correlation ids answers "never
 * seen" without reading a file; only a possible hit reads one bucket. Memory
 * stays fixed however many correlations the log holds; a filter that fills
 * up costs more bucket reads, never a wrong answer. Buckets are compacted to
 * one line per correlation as they grow.
 */
import { appendFile, mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { PRIVATE_DIRECTORY_MODE, PRIVATE_FILE_MODE, replacePrivateFile } from "./private-files.js";
import { sha256 } from "./sha256.js";

export interface ChainHead {
  position: number;
  hash: string;
}

/** A bucket is compacted once it passes this size (and twice its size after the last compaction). */
export const COMPACT_MIN_BYTES = 1 << 20;
const BLOOM_BITS = 1 << 23;
const BLOOM_HASHES = 6;

function bucketOf(digest: Buffer): string {
  return digest.toString("hex", 0, 1).charAt(0);
}

function digestOf(correlationId: string): Buffer {
  return sha256(correlationId);
}

export class HeadStore {
  private readonly bloom = new Uint8Array(BLOOM_BITS / 8);
  private readonly sizes = new Map<string, number>();
  private readonly compactedSizes = new Map<string, number>();
  private readonly directory: string;

  constructor(
    instancePath: string,
    private readonly compactMinBytes = COMPACT_MIN_BYTES,
  ) {
    this.directory = join(instancePath, "heads");
  }

  // The filter's bit positions are read straight from the digest: one call
  // per sealed event of a new correlation, so no array of them is built.
  private static bit(digest: Buffer, index: number): number {
    return digest.readUInt32BE(index * 4) & (BLOOM_BITS - 1);
  }

  private remember(digest: Buffer): void {
    for (let i = 0; i < BLOOM_HASHES; i++) {
      const bit = HeadStore.bit(digest, i);
      this.bloom[bit >>> 3]! |= 1 << (bit & 7);
    }
  }

  /** False when the correlation certainly has no persisted head. */
  mightHave(correlationId: string): boolean {
    const digest = digestOf(correlationId);
    for (let i = 0; i < BLOOM_HASHES; i++) {
      const bit = HeadStore.bit(digest, i);
      if ((this.bloom[bit >>> 3]! & (1 << (bit & 7))) === 0) return false;
    }
    return true;
  }

  /** Rebuilds the filter from the bucket files (at start). */
  async load(): Promise<void> {
    await mkdir(this.directory, { recursive: true, mode: PRIVATE_DIRECTORY_MODE });
    for (const name of await readdir(this.directory)) {
      if (!name.endsWith(".jsonl")) continue;
      const text = await readFile(join(this.directory, name), "utf8");
      this.sizes.set(name.slice(0, -".jsonl".length), Buffer.byteLength(text));
      for (const line of text.split("\n")) {
        if (line === "") continue;
        try {
          const { c } = JSON.parse(line) as { c: string };
          if (typeof c === "string") this.remember(digestOf(c));
        } catch {
          // a torn line from a crash: the head is recovered from the log instead
        }
      }
    }
  }

  /** The persisted head of `correlationId`, if any. */
  async get(correlationId: string): Promise<ChainHead | undefined> {
    const digest = digestOf(correlationId);
    let text: string;
    try {
      text = await readFile(join(this.directory, `${bucketOf(digest)}.jsonl`), "utf8");
    } catch {
      return undefined;
    }
    let head: ChainHead | undefined;
    for (const line of text.split("\n")) {
      if (line === "") continue;
      try {
        const entry = JSON.parse(line) as { c: string; p: number; h: string };
        if (entry.c === correlationId && (head === undefined || entry.p > head.position)) head = { position: entry.p, hash: entry.h };
      } catch {
        // see load()
      }
    }
    return head;
  }

  /** Persists heads (grouped into one append per bucket). */
  async put(heads: Iterable<[string, ChainHead]>): Promise<void> {
    const buckets = new Map<string, string>();
    const digests: Buffer[] = [];
    for (const [correlationId, head] of heads) {
      const digest = digestOf(correlationId);
      digests.push(digest);
      const bucket = bucketOf(digest);
      buckets.set(bucket, (buckets.get(bucket) ?? "") + JSON.stringify({ c: correlationId, p: head.position, h: head.hash }) + "\n");
    }
    await mkdir(this.directory, { recursive: true, mode: PRIVATE_DIRECTORY_MODE });
    for (const [bucket, text] of buckets) {
      await appendFile(join(this.directory, `${bucket}.jsonl`), text, { mode: PRIVATE_FILE_MODE });
      const size = (this.sizes.get(bucket) ?? 0) + Buffer.byteLength(text);
      this.sizes.set(bucket, size);
      if (size > Math.max(this.compactMinBytes, 2 * (this.compactedSizes.get(bucket) ?? 0))) await this.compact(bucket);
    }
    for (const digest of digests) this.remember(digest);
  }

  /**
   * A busy chain adds a line at every checkpoint; compaction keeps one line
   * per correlation (its highest position), so a bucket grows with the number
   * of correlations, not with activity. Written to a temporary file and
   * renamed, so a crash leaves the old or the new bucket, never half of one.
   * Callers serialize put() (the exporter's writer does), so no append races it.
   */
  private async compact(bucket: string): Promise<void> {
    const path = join(this.directory, `${bucket}.jsonl`);
    const latest = new Map<string, string>();
    const positions = new Map<string, number>();
    for (const line of (await readFile(path, "utf8")).split("\n")) {
      if (line === "") continue;
      try {
        const entry = JSON.parse(line) as { c: string; p: number };
        if ((positions.get(entry.c) ?? 0) <= entry.p) {
          positions.set(entry.c, entry.p);
          latest.set(entry.c, line);
        }
      } catch {
        // a torn line: the head it held is older than a later line or recovered from the log
      }
    }
    const text = [...latest.values()].map((line) => line + "\n").join("");
    await replacePrivateFile(`${path}.compact`, path, text);
    const size = Buffer.byteLength(text);
    this.sizes.set(bucket, size);
    this.compactedSizes.set(bucket, size);
  }
}
