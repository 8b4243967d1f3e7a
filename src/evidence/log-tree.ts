/**
 * The writer's Merkle state over its log: the running root its checkpoints
 * sign, and what it takes to prove each checkpoint consistent with the one
 * before, in O(log n) memory however long the log grows.
 *
 * RFC 6962's proof from size m to size n only asks for two kinds of subtree:
 * perfect subtrees the first m leaves decompose into (the tree's frontier at
 * the previous checkpoint, at most log2(m) hashes), and subtrees made only of
 * leaves m..n-1 that line up with the tree's power-of-two boundaries. So the
 * tree keeps the frontier at the last checkpoint and folds the leaves since
 * then into maximal aligned blocks (at most 2·log2(n) hashes), never the
 * leaves themselves. The root comes from the same pieces, so nothing is
 * hashed twice per event.
 */
import { formatSha256 } from "./event-hash.js";
import { EMPTY_MERKLE_ROOT, frontierSpans, MerkleAccumulator, merkleLeafHash, merkleNodeHash, splitPoint } from "./merkle.js";
import { proveConsistency } from "./merkle-consistency.js";

interface Subtree {
  start: number;
  size: number;
  hash: Buffer;
}

export class LogTree {
  /** The frontier at the last checkpoint (or where the tree was resumed). */
  private base: Subtree[] = [];
  private baseSize = 0;
  /** Leaves since then, as maximal aligned blocks in log order. */
  private added: Subtree[] = [];
  private count = 0;

  /**
   * `resumed` is the tree as of the last checkpoint (state.json saves it with
   * each checkpoint), or nothing before the first.
   */
  constructor(resumed?: MerkleAccumulator) {
    if (resumed !== undefined) {
      this.base = resumed.frontier();
      this.baseSize = this.count = resumed.size;
    }
  }

  /** Leaves (events) so far. */
  get size(): number {
    return this.count;
  }

  /**
   * Adds one event digest as the next leaf: one leaf hash, and on average one
   * node hash to merge aligned blocks, as much as a plain running root costs.
   */
  add(digest: Uint8Array): void {
    let block: Subtree = { start: this.count++, size: 1, hash: merkleLeafHash(digest) };
    // Merge with the block before while the two are the halves of one aligned subtree.
    for (let last = this.added.at(-1); last !== undefined && last.size === block.size && last.start % (2 * last.size) === 0; last = this.added.at(-1)) {
      this.added.pop();
      block = { start: last.start, size: last.size * 2, hash: merkleNodeHash(last.hash, block.hash) };
    }
    this.added.push(block);
  }

  /** `"sha256:<hex>"` of the root; the empty-tree text while empty. */
  rootHex(): string {
    return this.count === 0 ? EMPTY_MERKLE_ROOT : formatSha256(this.rangeHash(0, this.count, this.pieces()));
  }

  /** The proof (hex hashes) from the last checkpoint's size to the current one; the current tree becomes the new base. */
  checkpoint(): string[] {
    const pieces = this.pieces();
    const proof = proveConsistency(this.baseSize, this.count, (start, end) => this.rangeHash(start, end, pieces));
    this.markCheckpoint();
    return proof.map((hash) => hash.toString("hex"));
  }

  /** A checkpoint covers the tree as it is now: later proofs start here. */
  markCheckpoint(): void {
    this.base = this.frontier();
    this.baseSize = this.count;
    this.added = [];
  }

  /** `{ size, roots }` as MerkleAccumulator writes it, for state.json. */
  toJSON(): { size: number; roots: string[] } {
    return { size: this.count, roots: this.frontier().map((s) => s.hash.toString("hex")) };
  }

  /** The perfect subtrees the leaves so far decompose into, largest first. */
  private frontier(): Subtree[] {
    const pieces = this.pieces();
    return frontierSpans(this.count).map(({ start, size }) => ({ start, size, hash: this.rangeHash(start, start + size, pieces) }));
  }

  /** What the tree holds, by where each piece starts: the base frontier and the added blocks tile [0, size). */
  private pieces(): Map<number, Subtree> {
    const pieces = new Map<number, Subtree>();
    for (const piece of this.base) pieces.set(piece.start, piece);
    for (const piece of this.added) pieces.set(piece.start, piece);
    return pieces;
  }

  /**
   * The RFC 6962 hash of leaves [start, end): a piece held as is, else split
   * as RFC 6962 splits. Pieces are aligned, so a split never cuts one, and
   * every range a root or a proof asks for is a union of pieces.
   */
  private rangeHash(start: number, end: number, pieces: Map<number, Subtree>): Buffer {
    const piece = pieces.get(start);
    if (piece !== undefined && piece.start + piece.size === end) return piece.hash;
    if (end - start < 2) throw new Error(`internal: leaf ${start} of the log tree is inside a piece it cannot split`);
    const k = splitPoint(end - start);
    return merkleNodeHash(this.rangeHash(start, start + k, pieces), this.rangeHash(start + k, end, pieces));
  }
}
