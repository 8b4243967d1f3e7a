/**
 * RFC 6962 (Certificate Transparency) Merkle tree hash:
 * leaf = SHA-256(0x00 || data), node = SHA-256(0x01 || left || right), and a
 * tree of n > 1 leaves splits at the largest power of two below n. The
 * domain prefixes keep a leaf from passing for an inner node.
 *
 * Root text follows the IntentProof tools: `"sha256:" + hex(root)`, and an
 * empty tree is `"sha256:"` + 64 zeros (RFC 6962 itself would hash the empty
 * string).
 */
import { formatSha256 } from "./event-hash.js";
import { sha256 } from "./sha256.js";

// Sealing hashes a leaf and on average one node per event: the prefixed
// input is assembled in one reused buffer (hashing reads it synchronously).
const LEAF_INPUT = new Uint8Array(33);
const NODE_INPUT = new Uint8Array(65);

/** A reused buffer when it has exactly `length` bytes (32-byte hashes), else a fresh one. */
function hashInput(scratch: Uint8Array, length: number): Uint8Array {
  return length === scratch.length ? scratch : new Uint8Array(length);
}

/** SHA-256(0x00 || data). */
export function merkleLeafHash(data: Uint8Array): Buffer {
  const input = hashInput(LEAF_INPUT, data.length + 1);
  input[0] = 0x00;
  input.set(data, 1);
  return sha256(input);
}

/** SHA-256(0x01 || left || right). */
export function merkleNodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  const input = hashInput(NODE_INPUT, left.length + right.length + 1);
  input[0] = 0x01;
  input.set(left, 1);
  input.set(right, left.length + 1);
  return sha256(input);
}

/** The text of an empty tree's root, as the IntentProof tools write it. */
export const EMPTY_MERKLE_ROOT = "sha256:" + "0".repeat(64);

/**
 * Builds the root leaf by leaf in O(log n) memory: `roots` holds the roots of
 * the perfect subtrees the leaves so far decompose into (sizes are the bits
 * of `size`, largest first), which is exactly RFC 6962's split.
 */
export class MerkleAccumulator {
  private readonly roots: Buffer[] = [];
  private count = 0;

  /** How many leaves were added. */
  get size(): number {
    return this.count;
  }

  /** Adds one leaf (its data, which is hashed with the leaf prefix); returns the leaf hash. */
  add(data: Uint8Array): Buffer {
    const leaf = merkleLeafHash(data);
    this.addLeafHash(leaf);
    return leaf;
  }

  /** Adds one leaf given as its leaf hash (SHA-256(0x00 || data)). */
  addLeafHash(leaf: Buffer): void {
    let hash = leaf;
    // Each trailing 1 bit of the old size is a subtree of the same height to merge with.
    for (let n = this.count; (n & 1) === 1; n = Math.floor(n / 2)) {
      hash = merkleNodeHash(this.roots.pop() as Buffer, hash);
    }
    this.roots.push(hash);
    this.count++;
  }

  /** The root of the leaves so far; `undefined` while empty. */
  root(): Buffer | undefined {
    if (this.roots.length === 0) return undefined;
    let hash = this.roots[this.roots.length - 1] as Buffer;
    for (let i = this.roots.length - 2; i >= 0; i--) hash = merkleNodeHash(this.roots[i] as Buffer, hash);
    return hash;
  }

  /** `"sha256:<hex>"` of the root; {@link EMPTY_MERKLE_ROOT} while empty. */
  rootHex(): string {
    const root = this.root();
    return root === undefined ? EMPTY_MERKLE_ROOT : formatSha256(root);
  }

  /** The perfect subtrees the leaves decompose into (largest first), each with where it starts and how many leaves it holds. */
  frontier(): { start: number; size: number; hash: Buffer }[] {
    // The accumulator's roots are exactly these subtrees' hashes, in the same order.
    return frontierSpans(this.count).map((span, i) => ({ ...span, hash: this.roots[i] as Buffer }));
  }

  /** A snapshot of the state, to persist and resume the log's tree after a restart. */
  toJSON(): { size: number; roots: string[] } {
    return { size: this.count, roots: this.roots.map((r) => r.toString("hex")) };
  }

  /** Resumes from {@link toJSON}'s output; `undefined` when it is inconsistent. */
  static fromJSON(state: unknown): MerkleAccumulator | undefined {
    if (typeof state !== "object" || state === null) return undefined;
    const { size, roots } = state as { size?: unknown; roots?: unknown };
    if (!Number.isSafeInteger(size) || (size as number) < 0 || !Array.isArray(roots)) return undefined;
    let bits = 0;
    for (let n = size as number; n > 0; n = Math.floor(n / 2)) bits += n & 1;
    if (bits !== roots.length || !roots.every((r) => typeof r === "string" && /^[0-9a-f]{64}$/.test(r))) return undefined;
    const accumulator = new MerkleAccumulator();
    accumulator.count = size as number;
    for (const r of roots as string[]) accumulator.roots.push(Buffer.from(r, "hex"));
    return accumulator;
  }
}

/** The largest power of two <= n (n >= 1); 0 for 0. Arithmetic, not bit operators: sizes may pass 2^31. */
export function largestPowerOfTwoAtMost(n: number): number {
  if (n < 1) return 0;
  let k = 1;
  while (k * 2 <= n) k *= 2;
  return k;
}

/** The largest power of two strictly below n (n >= 2): where RFC 6962 splits a tree of n leaves. */
export function splitPoint(n: number): number {
  return largestPowerOfTwoAtMost(n - 1);
}

/** Where the perfect subtrees of a tree of `size` leaves start and how many leaves each holds, largest first. */
export function frontierSpans(size: number): { start: number; size: number }[] {
  const spans: { start: number; size: number }[] = [];
  let start = 0;
  for (let span = largestPowerOfTwoAtMost(size); span >= 1; span /= 2) {
    if (Math.floor(size / span) % 2 === 1) {
      spans.push({ start, size: span });
      start += span;
    }
  }
  return spans;
}

/** The RFC 6962 root over `leaves` in order; `undefined` for none. */
export function merkleRoot(leaves: readonly Uint8Array[]): Buffer | undefined {
  const accumulator = new MerkleAccumulator();
  for (const leaf of leaves) accumulator.add(leaf);
  return accumulator.root();
}

/** `"sha256:<hex>"` of {@link merkleRoot}; {@link EMPTY_MERKLE_ROOT} for none. */
export function merkleRootHex(leaves: readonly Uint8Array[]): string {
  const root = merkleRoot(leaves);
  return root === undefined ? EMPTY_MERKLE_ROOT : formatSha256(root);
}

/**
 * The bundle manifest's `event_merkle_root` as the IntentProof tools compute
 * it: leaves are the UTF-8 bytes of the `event_id`s, sorted by byte order.
 */
export function eventIdMerkleRoot(eventIds: readonly string[]): string {
  const sorted = eventIds.map((id) => Buffer.from(id, "utf8")).sort(Buffer.compare);
  return merkleRootHex(sorted);
}
