import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LogTree } from "../../src/evidence/log-tree.js";
import { MerkleAccumulator, merkleLeafHash, merkleNodeHash } from "../../src/evidence/merkle.js";
import { consistencyProof, proveConsistency, verifyConsistency } from "../../src/evidence/merkle-consistency.js";

const hex = (b: Buffer) => b.toString("hex");
const unhex = (s: string) => Buffer.from(s, "hex");

// The Certificate Transparency reference tree: eight leaves, their published
// roots for every prefix, and published consistency proofs between prefixes.
const CT_LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"].map(unhex);
const CT_ROOTS = [
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];
const CT_PROOFS: [number, number, string[]][] = [
  [1, 1, []],
  [
    1,
    8,
    [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  ],
  [
    6,
    8,
    [
      "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  ],
  [2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]],
];

/** Leaf hashes and the root of every prefix (roots[n] for n leaves). */
function tree(count: number): { leaves: Buffer[]; roots: Buffer[] } {
  const leaves: Buffer[] = [];
  const roots: Buffer[] = [Buffer.alloc(32)];
  const accumulator = new MerkleAccumulator();
  for (let i = 0; i < count; i++) {
    leaves.push(accumulator.add(Buffer.from(`event ${i}`)));
    roots.push(accumulator.root() as Buffer);
  }
  return { leaves, roots };
}

function flipped(hash: Uint8Array): Buffer {
  const copy = Buffer.from(hash);
  copy[copy.length - 1]! ^= 0x01;
  return copy;
}

describe("RFC 6962 consistency proofs: reference vectors", () => {
  const accumulator = new MerkleAccumulator();
  const leafHashes = CT_LEAVES.map((leaf) => accumulator.add(leaf));

  it("builds the reference roots", () => {
    const roots = CT_LEAVES.map((_, i) => hex(consistencyProofRoot(leafHashes.slice(0, i + 1))));
    expect(roots).toEqual(CT_ROOTS);
  });

  it.each(CT_PROOFS)("proves and verifies %i -> %i as published", (oldSize, newSize, published) => {
    expect(consistencyProof(leafHashes, oldSize, newSize).map(hex)).toEqual(published);
    const claim = { oldSize, oldRoot: unhex(CT_ROOTS[oldSize - 1]!), newSize, newRoot: unhex(CT_ROOTS[newSize - 1]!), proof: published.map(unhex) };
    expect(verifyConsistency(claim)).toBe(true);
  });

  it("refuses the published proof 6 -> 8 cut short, or with a flipped root", () => {
    const [, , proof] = CT_PROOFS[2]!;
    const claim = { oldSize: 6, oldRoot: unhex(CT_ROOTS[5]!), newSize: 8, newRoot: unhex(CT_ROOTS[7]!), proof: proof.map(unhex) };
    expect(verifyConsistency({ ...claim, proof: claim.proof.slice(0, 2) })).toBe(false);
    expect(verifyConsistency({ ...claim, newRoot: flipped(claim.newRoot) })).toBe(false);
    expect(verifyConsistency({ ...claim, oldRoot: flipped(claim.oldRoot) })).toBe(false);
  });

  it("matches RFC 6962 §2.1.3's example tree of 7 leaves", () => {
    const d = Array.from({ length: 7 }, (_, i) => merkleLeafHash(Buffer.from([i])));
    const [a, b, c, dd, e, f, j] = d as [Buffer, Buffer, Buffer, Buffer, Buffer, Buffer, Buffer];
    const g = merkleNodeHash(a, b);
    const h = merkleNodeHash(c, dd);
    const i = merkleNodeHash(e, f);
    const k = merkleNodeHash(g, h);
    const l = merkleNodeHash(i, j);
    expect(consistencyProof(d, 3, 7)).toEqual([c, dd, g, l]);
    expect(consistencyProof(d, 4, 7)).toEqual([l]);
    expect(consistencyProof(d, 6, 7)).toEqual([i, j, k]);
  });
});

function consistencyProofRoot(leafHashes: Buffer[]): Buffer {
  const accumulator = new MerkleAccumulator();
  for (const leaf of leafHashes) accumulator.addLeafHash(leaf);
  return accumulator.root() as Buffer;
}

describe("RFC 6962 consistency proofs: every pair of sizes up to 40", () => {
  const N = 40;
  const { leaves, roots } = tree(N);
  const pairs: [number, number][] = [];
  for (let n = 1; n <= N; n++) for (let m = 1; m <= n; m++) pairs.push([m, n]);

  it("verifies every honest proof, and the empty tree against any tree", () => {
    for (const [m, n] of pairs) {
      const proof = consistencyProof(leaves, m, n);
      expect(verifyConsistency({ oldSize: m, oldRoot: roots[m]!, newSize: n, newRoot: roots[n]!, proof }), `${m} -> ${n}`).toBe(true);
      expect(proof.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(n)) + 1);
    }
    expect(verifyConsistency({ oldSize: 0, oldRoot: Buffer.alloc(32), newSize: 5, newRoot: roots[5]!, proof: [] })).toBe(true);
    expect(verifyConsistency({ oldSize: 0, oldRoot: Buffer.alloc(32), newSize: 5, newRoot: roots[5]!, proof: [roots[5]!] })).toBe(false);
  });

  // A size alone, with the roots kept, is not always caught by the proof: from
  // 1 leaf, trees of 3 and 4 leaves give proofs of the same shape. Checkpoints
  // sign size and root together, so a size never travels without its root.
  it("refuses a tampered element, a wrong root, a wrong size, a reordered, shortened or lengthened proof, and swapped trees", () => {
    for (const [m, n] of pairs) {
      const proof = consistencyProof(leaves, m, n);
      const honest = { oldSize: m, oldRoot: roots[m]!, newSize: n, newRoot: roots[n]!, proof };
      const wrong = (claim: Partial<typeof honest>, why: string) => expect(verifyConsistency({ ...honest, ...claim }), `${m} -> ${n}: ${why}`).toBe(false);
      proof.forEach((hash, i) => wrong({ proof: proof.map((h, k) => (k === i ? flipped(hash) : h)) }, `element ${i} flipped`));
      wrong({ oldRoot: flipped(roots[m]!) }, "old root");
      wrong({ newRoot: flipped(roots[n]!) }, "new root");
      if (m !== n) wrong({ oldRoot: roots[n]!, newRoot: roots[m]! }, "roots swapped");
      // A size comes with its own tree's root (both are signed in a checkpoint): the proof of m -> n must not pass for another size.
      for (const size of [m - 1, m + 1]) if (size >= 1 && size <= n && size !== m) wrong({ oldSize: size, oldRoot: roots[size]! }, `old size ${size}`);
      for (const size of [n - 1, n + 1]) if (size >= m && size <= N && size !== n) wrong({ newSize: size, newRoot: roots[size]! }, `new size ${size}`);
      if (m !== n) wrong({ oldSize: n, oldRoot: roots[n]!, newSize: m, newRoot: roots[m]! }, "old and new swapped");
      if (proof.length >= 2) wrong({ proof: [...proof].reverse() }, "reversed");
      if (proof.length >= 1) wrong({ proof: proof.slice(1) }, "first element dropped");
      if (proof.length >= 1) wrong({ proof: proof.slice(0, -1) }, "last element dropped");
      wrong({ proof: [...proof, roots[n]!] }, "element appended");
    }
  });
});

describe("LogTree: the writer's bounded proof state", () => {
  const N = 40;
  const { leaves } = tree(N);
  const digest = (i: number) => Buffer.from(`event ${i}`);

  it("proves every m -> n exactly as the full leaf list does, fresh or resumed from the saved state", () => {
    for (let m = 0; m <= N; m++) {
      for (let n = m; n <= N; n++) {
        const expected = m === 0 ? [] : consistencyProof(leaves, m, n).map(hex);
        const built = new LogTree();
        for (let i = 0; i < m; i++) built.add(digest(i));
        built.checkpoint();
        // As after a restart: only the state saved with the checkpoint.
        const resumed = new LogTree(MerkleAccumulator.fromJSON(JSON.parse(JSON.stringify(built))));
        for (const logTree of [built, resumed]) {
          for (let i = m; i < n; i++) logTree.add(digest(i));
          expect(logTree.checkpoint(), `${m} -> ${n}`).toEqual(expected);
        }
      }
    }
  });

  it("chains proofs across consecutive checkpoints of irregular spacing", () => {
    const logTree = new LogTree();
    const sizes = [0, 1, 2, 3, 7, 8, 8, 9, 16, 17, 31, 33, 40];
    let previous: { size: number; root: Buffer } = { size: 0, root: Buffer.alloc(32) };
    const { roots } = tree(N);
    for (const size of sizes) {
      while (logTree.size < size) logTree.add(digest(logTree.size));
      const proof = logTree.checkpoint().map(unhex);
      expect(verifyConsistency({ oldSize: previous.size, oldRoot: previous.root, newSize: size, newRoot: roots[size]!, proof }), `${previous.size} -> ${size}`).toBe(true);
      expect(logTree.rootHex()).toBe(size === 0 ? "sha256:" + "0".repeat(64) : "sha256:" + hex(roots[size]!));
      previous = { size, root: roots[size]! };
    }
  });

  it("keeps O(log n) hashes whatever the gap between checkpoints", () => {
    const logTree = new LogTree();
    const reference = new MerkleAccumulator();
    for (let i = 0; i < 5_000; i++) {
      logTree.add(digest(i));
      reference.add(digest(i));
    }
    const oldRoot = reference.root() as Buffer;
    logTree.checkpoint();
    for (let i = 5_000; i < 40_000; i++) {
      logTree.add(digest(i));
      reference.add(digest(i));
    }
    const held = logTree as unknown as { base: unknown[]; added: unknown[] };
    expect(held.base.length).toBeLessThanOrEqual(Math.log2(5_000) + 1);
    expect(held.added.length).toBeLessThanOrEqual(2 * Math.log2(40_000));
    const proof = logTree.checkpoint().map(unhex);
    expect(verifyConsistency({ oldSize: 5_000, oldRoot, newSize: 40_000, newRoot: reference.root() as Buffer, proof })).toBe(true);
  });
});

describe("consistency proofs: properties", () => {
  const N = 600;
  const { leaves, roots } = tree(N);

  it("the incremental proof equals the full one and verifies, for any m <= n", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: N }), fc.integer({ min: 0, max: N }), (a, b) => {
        const [m, n] = a <= b ? [a, b] : [b, a];
        if (m === 0) return;
        const logTree = new LogTree();
        for (let i = 0; i < m; i++) logTree.add(Buffer.from(`event ${i}`));
        logTree.checkpoint();
        for (let i = m; i < n; i++) logTree.add(Buffer.from(`event ${i}`));
        const proof = logTree.checkpoint();
        expect(proof).toEqual(consistencyProof(leaves, m, n).map(hex));
        expect(verifyConsistency({ oldSize: m, oldRoot: roots[m]!, newSize: n, newRoot: roots[n]!, proof: proof.map(unhex) })).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it("no proof verifies an old tree whose leaves differ (a rewritten history)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 60 }), fc.nat(), (m, extra, which) => {
        const n = m + extra;
        const rewritten = [...leaves.slice(0, n)];
        rewritten[which % m] = merkleLeafHash(Buffer.from("replaced"));
        const proof = consistencyProof(rewritten, m, n);
        // Old root as the witness kept it (honest); new root and proof from the rewritten log.
        const newRoot = consistencyProofRoot(rewritten);
        expect(verifyConsistency({ oldSize: m, oldRoot: roots[m]!, newSize: n, newRoot, proof })).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it("works with sizes past 2^32 (arithmetic, not 32-bit bit operators)", () => {
    // A virtual tree whose every leaf is the same: a perfect subtree's hash depends only on its height.
    const perfect = [merkleLeafHash(Buffer.from("same"))];
    for (let h = 1; h <= 50; h++) perfect.push(merkleNodeHash(perfect[h - 1]!, perfect[h - 1]!));
    const subtree = (start: number, end: number): Buffer => {
      const size = end - start;
      if (Number.isInteger(Math.log2(size))) return perfect[Math.log2(size)]!;
      let k = 1;
      while (k * 2 < size) k *= 2;
      return merkleNodeHash(subtree(start, start + k), subtree(start + k, end));
    };
    const m = 2 ** 32 + 12_345;
    const n = 2 ** 41 + 987_654_321;
    const proof = proveConsistency(m, n, subtree);
    expect(verifyConsistency({ oldSize: m, oldRoot: subtree(0, m), newSize: n, newRoot: subtree(0, n), proof })).toBe(true);
    expect(verifyConsistency({ oldSize: m, oldRoot: subtree(0, m), newSize: n + 1, newRoot: subtree(0, n + 1), proof })).toBe(false);
    expect(verifyConsistency({ oldSize: m - 1, oldRoot: subtree(0, m - 1), newSize: n, newRoot: subtree(0, n), proof })).toBe(false);
  });
});
