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
 * leaves themselves.
 */
import { MerkleAccumulator, merkleNodeHash } from "./merkle.js";
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
  private readonly added: Subtree[] = [];

  /**
   * `accumulator` is the tree as of the last checkpoint (state.json saves it
   * with each checkpoint), or empty before the first.
   */
  constructor(private readonly accumulator: MerkleAccumulator = new MerkleAccumulator()) {
    this.markCheckpoint();
  }

  /** Leaves (events) so far. */
  get size(): number {
    return this.accumulator.size;
  }

  /** Adds one event digest as the next leaf. */
  add(digest: Uint8Array): void {
    let block: Subtree = { start: this.accumulator.size, size: 1, hash: this.accumulator.add(digest) };
    // Merge with the block before while the two are the halves of one aligned subtree.
    for (let last = this.added.at(-1); last !== undefined && last.size === block.size && last.start % (2 * last.size) === 0; last = this.added.at(-1)) {
      this.added.pop();
      block = { start: last.start, size: last.size * 2, hash: merkleNodeHash(last.hash, block.hash) };
    }
    this.added.push(block);
  }

  rootHex(): string {
    return this.accumulator.rootHex();
  }

  /** The proof (hex hashes) from the last checkpoint's size to the current one; the current tree becomes the new base. */
  checkpoint(): string[] {
    const proof = proveConsistency(this.baseSize, this.size, this.subtreeHash).map((hash) => hash.toString("hex"));
    this.markCheckpoint();
    return proof;
  }

  /** A checkpoint covers the tree as it is now: later proofs start here. */
  markCheckpoint(): void {
    this.base = this.accumulator.frontier();
    this.baseSize = this.accumulator.size;
    this.added.length = 0;
  }

  /** The accumulator's state, for state.json. */
  toJSON(): { size: number; roots: string[] } {
    return this.accumulator.toJSON();
  }

  /** The hashes the proof recursion asks for: a frontier subtree of the base, or a run of added blocks. */
  private readonly subtreeHash = (start: number, end: number): Buffer => {
    if (end <= this.baseSize) {
      const subtree = this.base.find((s) => s.start === start && s.start + s.size === end);
      if (subtree !== undefined) return subtree.hash;
    } else if (start >= this.baseSize) {
      const run: Subtree[] = [];
      let at = start;
      for (let i = this.added.findIndex((b) => b.start === start); i >= 0 && i < this.added.length && at < end; i++) {
        const block = this.added[i] as Subtree;
        run.push(block);
        at += block.size;
      }
      if (at === end && run.length > 0) {
        // RFC 6962 splits an unbalanced subtree at its largest power of two: fold from the right.
        let hash = (run.at(-1) as Subtree).hash;
        for (let i = run.length - 2; i >= 0; i--) hash = merkleNodeHash((run[i] as Subtree).hash, hash);
        return hash;
      }
    }
    throw new Error(`internal: the proof needs subtree [${start}, ${end}), which the log tree does not hold`);
  };
}
