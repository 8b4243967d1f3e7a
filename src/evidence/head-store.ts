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
 * up costs more bucket reads, never a wrong answer.
 */
import { createHash } from "node:crypto";
import { appendFile, mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

export interface ChainHead {
  position: number;
  hash: string;
}

const BLOOM_BITS = 1 << 23;
const BLOOM_HASHES = 6;

function bucketOf(digest: Buffer): string {
  return digest.toString("hex", 0, 1).charAt(0);
}

function digestOf(correlationId: string): Buffer {
  return createHash("sha256").update(correlationId, "utf8").digest();
}

export class HeadStore {
  private readonly bloom = new Uint8Array(BLOOM_BITS / 8);
  private readonly directory: string;

  constructor(instancePath: string) {
    this.directory = join(instancePath, "heads");
  }

  private bits(digest: Buffer): number[] {
    const out: number[] = [];
    for (let i = 0; i < BLOOM_HASHES; i++) out.push(digest.readUInt32BE(i * 4) & (BLOOM_BITS - 1));
    return out;
  }

  private remember(digest: Buffer): void {
    for (const bit of this.bits(digest)) this.bloom[bit >>> 3]! |= 1 << (bit & 7);
  }

  /** False when the correlation certainly has no persisted head. */
  mightHave(correlationId: string): boolean {
    const digest = digestOf(correlationId);
    for (const bit of this.bits(digest)) if ((this.bloom[bit >>> 3]! & (1 << (bit & 7))) === 0) return false;
    return true;
  }

  /** Rebuilds the filter from the bucket files (at start). */
  async load(): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    for (const name of await readdir(this.directory)) {
      if (!name.endsWith(".jsonl")) continue;
      const text = await readFile(join(this.directory, name), "utf8");
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
    await mkdir(this.directory, { recursive: true });
    for (const [bucket, text] of buckets) await appendFile(join(this.directory, `${bucket}.jsonl`), text);
    for (const digest of digests) this.remember(digest);
  }
}
