/**
 * Chain heads per correlation id, for one instance. Positions are assigned
 * in the order events are sealed (their emission order), so parallel calls
 * of one correlation form one chain 1, 2, 3, … and never fork.
 *
 * Memory is bounded: a chain unused for `idleMs`, or the least recently
 * used one beyond `maxOpen`, leaves memory. Its head stays in `dirty` until
 * the next checkpoint persists it to the HeadStore, so a correlation that
 * returns later continues at the next position.
 */
import { GENESIS_PREV_HASH } from "./event-hash.js";
import type { ChainHead, HeadStore } from "./head-store.js";

interface OpenChain extends ChainHead {
  lastUsed: number;
}

export class ChainBook {
  private readonly open = new Map<string, OpenChain>();
  private dirty = new Map<string, ChainHead>();
  /** Heads taken for a checkpoint and not yet on disk: still the truth until the store has them. */
  private readonly persisting: Map<string, ChainHead>[] = [];

  constructor(
    private readonly store: HeadStore,
    private readonly idleMs: number,
    private readonly maxOpen: number,
  ) {}

  /** Chains held in memory now. */
  get openCount(): number {
    return this.open.size;
  }

  /** The head known without I/O; `undefined` means "new", `"lookup"` means ask {@link load}. */
  peek(correlationId: string): ChainHead | undefined | "lookup" {
    const head = this.open.get(correlationId) ?? this.dirty.get(correlationId);
    if (head !== undefined) return head;
    for (let i = this.persisting.length - 1; i >= 0; i--) {
      const pending = (this.persisting[i] as Map<string, ChainHead>).get(correlationId);
      if (pending !== undefined) return pending;
    }
    return this.store.mightHave(correlationId) ? "lookup" : undefined;
  }

  /** Reads a persisted head (the slow path of {@link peek}). */
  load(correlationId: string): Promise<ChainHead | undefined> {
    return this.store.get(correlationId);
  }

  /** The link the next record of a chain whose head is `head` carries. */
  static next(head: ChainHead | undefined): { position: number; prevHash: string } {
    return head === undefined ? { position: 1, prevHash: GENESIS_PREV_HASH } : { position: head.position + 1, prevHash: head.hash };
  }

  /** Records the new head of a chain. */
  advance(correlationId: string, position: number, hash: string, now: number): void {
    this.open.delete(correlationId);
    this.open.set(correlationId, { position, hash, lastUsed: now });
    this.dirty.set(correlationId, { position, hash });
    if (this.open.size > this.maxOpen) this.sweep(now);
  }

  /** Closes idle chains and the least recently used beyond the bound. */
  sweep(now: number): void {
    for (const [correlationId, chain] of this.open) {
      if (this.open.size <= this.maxOpen && now - chain.lastUsed < this.idleMs) break;
      this.open.delete(correlationId);
    }
  }

  /** Heads changed since the last call, to persist with a checkpoint; call {@link persisted} after. */
  takeDirty(): Map<string, ChainHead> {
    const taken = this.dirty;
    this.dirty = new Map();
    this.persisting.push(taken);
    return taken;
  }

  /** The heads taken by {@link takeDirty} are in the store now (or, `ok` false, go back to dirty for the next checkpoint). */
  persisted(heads: Map<string, ChainHead>, ok: boolean): void {
    const index = this.persisting.indexOf(heads);
    if (index !== -1) this.persisting.splice(index, 1);
    if (!ok) this.restoreDirty(heads);
  }

  private restoreDirty(heads: Map<string, ChainHead>): void {
    for (const [correlationId, head] of heads) {
      const current = this.dirty.get(correlationId);
      if (current === undefined || current.position < head.position) this.dirty.set(correlationId, head);
    }
  }
}
