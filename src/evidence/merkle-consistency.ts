/**
 * RFC 6962 consistency proofs: evidence that the tree of `oldSize` leaves is
 * a prefix of the tree of `newSize` leaves, so a log only grew between two
 * checkpoints. Someone who kept only the two signed roots (a witness) can
 * check it with O(log n) hashes, without the log.
 *
 * Producing a proof (RFC 6962 §2.1.2) only needs the hashes of certain whole
 * subtrees; who holds them differs (the whole leaf list in tests, a bounded
 * summary in the writer), so the recursion asks a `SubtreeHash` for them.
 * Checking one follows RFC 9162 §2.1.4.2.
 */
import { largestPowerOfTwoAtMost, MerkleAccumulator, merkleNodeHash, splitPoint } from "./merkle.js";

/** The RFC 6962 hash of the subtree over leaves [start, end) of the tree. */
export type SubtreeHash = (start: number, end: number) => Buffer;

/**
 * SUBPROOF(m, D[start:end], whole): `whole` is true while the old tree is the
 * left edge of the current subtree, so its root is known to the verifier and
 * is not sent.
 */
function subproof(m: number, start: number, end: number, whole: boolean, hashOf: SubtreeHash, out: Buffer[]): void {
  const n = end - start;
  if (m === n) {
    if (!whole) out.push(hashOf(start, end));
    return;
  }
  const k = splitPoint(n);
  if (m <= k) {
    // The old tree lies in the left half; the right half is all new leaves.
    subproof(m, start, start + k, whole, hashOf, out);
    out.push(hashOf(start + k, end));
  } else {
    // The left half is a complete subtree of the old tree; recurse to the right.
    subproof(m - k, start + k, end, false, hashOf, out);
    out.push(hashOf(start, start + k));
  }
}

/**
 * The proof that the first `oldSize` leaves' tree is a prefix of the first
 * `newSize` leaves' tree. Empty when `oldSize` is 0 (every tree extends the
 * empty one) or equals `newSize` (the roots must then be equal).
 */
export function proveConsistency(oldSize: number, newSize: number, hashOf: SubtreeHash): Buffer[] {
  if (!Number.isSafeInteger(oldSize) || !Number.isSafeInteger(newSize) || oldSize < 0 || oldSize > newSize) {
    throw new RangeError(`no consistency proof from size ${oldSize} to size ${newSize}`);
  }
  const out: Buffer[] = [];
  if (oldSize > 0 && oldSize < newSize) subproof(oldSize, 0, newSize, true, hashOf, out);
  return out;
}

/** {@link proveConsistency} over a full list of leaf hashes (SHA-256(0x00 || data) each). */
export function consistencyProof(leafHashes: readonly Buffer[], oldSize: number, newSize: number): Buffer[] {
  if (newSize > leafHashes.length) throw new RangeError(`${leafHashes.length} leaves cannot make a tree of ${newSize}`);
  return proveConsistency(oldSize, newSize, (start, end) => {
    const accumulator = new MerkleAccumulator();
    for (let i = start; i < end; i++) accumulator.addLeafHash(leafHashes[i] as Buffer);
    return accumulator.root() as Buffer;
  });
}

export interface ConsistencyClaim {
  oldSize: number;
  /** Ignored when `oldSize` is 0 (the empty tree has no hash). */
  oldRoot: Uint8Array;
  newSize: number;
  newRoot: Uint8Array;
  proof: readonly Uint8Array[];
}

const isOdd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

/**
 * True when `proof` shows that the tree (`oldSize`, `oldRoot`) is a prefix of
 * the tree (`newSize`, `newRoot`): RFC 9162 §2.1.4.2, plus the cases it leaves
 * out (an empty old tree, equal sizes). Arithmetic instead of bit operators,
 * since sizes may pass 2^31.
 */
export function verifyConsistency(claim: ConsistencyClaim): boolean {
  const { oldSize, oldRoot, newSize, newRoot, proof } = claim;
  if (!Number.isSafeInteger(oldSize) || !Number.isSafeInteger(newSize) || oldSize < 0 || oldSize > newSize) return false;
  if (!proof.every((hash) => hash.length === 32)) return false;
  if (oldSize === 0) return proof.length === 0;
  if (oldSize === newSize) return proof.length === 0 && Buffer.compare(oldRoot, newRoot) === 0;
  if (proof.length === 0) return false;

  // A power-of-two old tree is a whole subtree of the new one: the proof omits
  // its root, which the verifier already holds.
  const path = largestPowerOfTwoAtMost(oldSize) === oldSize ? [oldRoot, ...proof] : [...proof];
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Uint8Array = path[0] as Uint8Array;
  let sr: Uint8Array = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      // c is a left sibling: it belongs to both trees.
      fr = merkleNodeHash(c, fr);
      sr = merkleNodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      // c is a right sibling made of new leaves only: it belongs to the new tree.
      sr = merkleNodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && Buffer.compare(fr, oldRoot) === 0 && Buffer.compare(sr, newRoot) === 0;
}
