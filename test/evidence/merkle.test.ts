import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  EMPTY_MERKLE_ROOT,
  eventIdMerkleRoot,
  MerkleAccumulator,
  merkleLeafHash,
  merkleNodeHash,
  merkleRoot,
  merkleRootHex,
} from "../../src/evidence/merkle.js";

const sha = (...parts: Buffer[]) => createHash("sha256").update(Buffer.concat(parts)).digest();
const leaf = (s: string) => Buffer.from(s);

// RFC 6962 §2.1 written out recursively, as the reference to compare with.
function reference(leaves: Buffer[]): Buffer {
  if (leaves.length === 1) return sha(Buffer.from([0]), leaves[0] as Buffer);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha(Buffer.from([1]), reference(leaves.slice(0, k)), reference(leaves.slice(k)));
}

describe("RFC 6962 Merkle tree hash", () => {
  it("uses 0x00 leaf and 0x01 node domain prefixes", () => {
    expect(merkleLeafHash(leaf("a")).equals(sha(Buffer.from([0]), leaf("a")))).toBe(true);
    expect(merkleNodeHash(leaf("l"), leaf("r")).equals(sha(Buffer.from([1]), leaf("l"), leaf("r")))).toBe(true);
  });

  it("matches the recursive definition for every size from 1 to 70", () => {
    const leaves: Buffer[] = [];
    for (let n = 1; n <= 70; n++) {
      leaves.push(leaf(`leaf-${n}`));
      expect(merkleRoot(leaves)?.toString("hex")).toBe(reference(leaves).toString("hex"));
    }
  });

  it("spells out the 3- and 5-leaf shapes (last node promoted, never duplicated)", () => {
    const [a, b, c, d, e] = ["a", "b", "c", "d", "e"].map((s) => merkleLeafHash(leaf(s))) as Buffer[];
    expect(merkleRoot(["a", "b", "c"].map(leaf))?.equals(merkleNodeHash(merkleNodeHash(a!, b!), c!))).toBe(true);
    const abcd = merkleNodeHash(merkleNodeHash(a!, b!), merkleNodeHash(c!, d!));
    expect(merkleRoot(["a", "b", "c", "d", "e"].map(leaf))?.equals(merkleNodeHash(abcd, e!))).toBe(true);
  });

  it("writes roots as sha256:<hex>, an empty tree as 64 zeros", () => {
    expect(merkleRootHex([])).toBe(EMPTY_MERKLE_ROOT);
    expect(EMPTY_MERKLE_ROOT).toBe("sha256:" + "0".repeat(64));
    expect(merkleRootHex([leaf("a")])).toBe("sha256:" + merkleLeafHash(leaf("a")).toString("hex"));
  });

  it("resumes from a persisted accumulator state", () => {
    const acc = new MerkleAccumulator();
    for (let i = 0; i < 13; i++) acc.add(leaf(`x${i}`));
    const resumed = MerkleAccumulator.fromJSON(JSON.parse(JSON.stringify(acc)));
    expect(resumed).toBeDefined();
    for (let i = 13; i < 20; i++) {
      acc.add(leaf(`x${i}`));
      resumed!.add(leaf(`x${i}`));
    }
    expect(resumed!.rootHex()).toBe(acc.rootHex());
    expect(resumed!.size).toBe(20);
    expect(MerkleAccumulator.fromJSON({ size: 3, roots: ["00".repeat(32)] })).toBeUndefined();
    expect(MerkleAccumulator.fromJSON("nope")).toBeUndefined();
  });

  it("computes a bundle's event_merkle_root over sorted event_id bytes", () => {
    const ids = ["evt_b", "evt_a", "evt_c"];
    expect(eventIdMerkleRoot(ids)).toBe(merkleRootHex(["evt_a", "evt_b", "evt_c"].map(leaf)));
    expect(eventIdMerkleRoot([])).toBe(EMPTY_MERKLE_ROOT);
  });
});
