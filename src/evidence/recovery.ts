/**
 * What an instance's writer needs to continue its log after a restart (clean
 * or kill -9): chain heads, the Merkle tree over the log (with what the
 * next checkpoint's consistency proof needs), the link to the last
 * checkpoint, and the log opened for appending. It starts from state.json
 * (saved after each checkpoint) and replays only the lines after it; without
 * state.json, the whole log.
 */
import { open, stat } from "node:fs/promises";
import { join } from "node:path";
import { ChainBook } from "./chain-book.js";
import { CHECKPOINT_SCHEMA } from "./checkpoint.js";
import { EvidenceError } from "./errors.js";
import { eventDigest, eventHash, formatSha256, GENESIS_PREV_HASH } from "./event-hash.js";
import { HeadStore } from "./head-store.js";
import { LogTree } from "./log-tree.js";
import { MerkleAccumulator } from "./merkle.js";
import { EVENT_SCHEMA } from "./record.js";
import { SegmentLog, segmentFileName, type LogPosition } from "./segment-log.js";
import { readState, type InstanceState } from "./state-file.js";

const NEWLINE = 0x0a;

export interface RecoveredInstance {
  store: HeadStore;
  chains: ChainBook;
  tree: LogTree;
  checkpointSequence: number;
  checkpointHash: string;
  /** Events after the last checkpoint. */
  sinceCheckpoint: number;
  log: SegmentLog;
  /** Notices for onError: a torn line cut off, unreadable lines skipped. */
  notices: EvidenceError[];
}

export async function recoverInstance(
  instancePath: string,
  limits: { maxSegmentBytes: number; chainIdleMs: number; maxOpenChains: number },
): Promise<RecoveredInstance> {
  const store = new HeadStore(instancePath);
  await store.load();
  const chains = new ChainBook(store, limits.chainIdleMs, limits.maxOpenChains);
  let state = await readState(instancePath);
  // A log shorter than its state says (truncated or restored by hand): the
  // state describes lines that are gone, so the log itself is replayed.
  const stateAhead = state !== undefined && !(await logReaches(instancePath, state.position));
  // A log whose line before the state's position is not the state's
  // checkpoint was changed before it (a line replaced, inserted or removed):
  // the saved tree no longer describes the log, and replay would start
  // mid-line. The log is replayed whole, so the next checkpoint describes
  // the log as it is; the verifier reports the change (the earlier
  // checkpoints disagree with it).
  const stateMisplaced = state !== undefined && !stateAhead && !(await checkpointEndsAt(instancePath, state));
  if (stateAhead || stateMisplaced) state = undefined;
  const saved = state === undefined ? undefined : MerkleAccumulator.fromJSON(state.merkle);
  // state.json holds the tree as of its checkpoint: the base of the next proof.
  const tree = new LogTree(saved);
  let checkpointSequence = saved === undefined ? 0 : (state?.checkpoint.sequence ?? 0);
  let checkpointHash = saved === undefined ? GENESIS_PREV_HASH : (state?.checkpoint.hash ?? GENESIS_PREV_HASH);
  let sinceCheckpoint = 0;
  let unreadable = 0;
  let unhashable = 0;
  const now = Date.now();
  const { log, repaired } = await SegmentLog.open(instancePath, { maxSegmentBytes: limits.maxSegmentBytes }, saved === undefined ? undefined : state?.position, (line) => {
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(line) as Record<string, unknown>;
    } catch {
      unreadable++;
      return;
    }
    if (value.schema === EVENT_SCHEMA && typeof value.correlation_id === "string" && typeof value.chain_position === "number") {
      const digest = digestOrUndefined(value);
      if (digest === undefined) {
        unhashable++;
        return;
      }
      tree.add(digest);
      chains.advance(value.correlation_id, value.chain_position, formatSha256(digest), now);
      sinceCheckpoint++;
    } else if (value.schema === CHECKPOINT_SCHEMA && typeof value.sequence === "number") {
      const hash = hashOrUndefined(value);
      if (hash === undefined) {
        unhashable++;
        return;
      }
      checkpointSequence = value.sequence;
      tree.markCheckpoint();
      checkpointHash = hash;
      sinceCheckpoint = 0;
    }
  });
  const notices: EvidenceError[] = [];
  if (stateAhead) {
    notices.push(new EvidenceError("log_repaired", "state.json pointed past the end of the log (truncated or restored by hand): resumed from the log itself"));
  }
  if (stateMisplaced) {
    notices.push(
      new EvidenceError(
        "log_repaired",
        "the log no longer holds state.json's checkpoint where state.json says (a line before it was changed, added or removed): resumed from the log itself; verify the log",
      ),
    );
  }
  if (repaired !== undefined) {
    notices.push(
      new EvidenceError("log_repaired", `cut a torn last line (${repaired.bytes} bytes, kept in ${repaired.segment}.torn) left by an interrupted write; nothing flushed was lost`),
    );
  }
  if (unreadable > 0) notices.push(new EvidenceError("log_repaired", `${unreadable} unreadable line(s) in the log were skipped while resuming`));
  if (unhashable > 0) {
    notices.push(new EvidenceError("log_repaired", `${unhashable} record(s) in the log that cannot be canonicalized (nested too deeply) were skipped while resuming; the verifier reports them as schema.invalid`));
  }
  return { store, chains, tree, checkpointSequence, checkpointHash, sinceCheckpoint, log, notices };
}

// A crafted record can be JSON yet not canonicalizable (nested deeper than
// the stack allows): skipped like an unreadable line, as the verifier leaves
// it out of the Merkle tree, instead of refusing the whole directory.
function digestOrUndefined(value: Record<string, unknown>): Buffer | undefined {
  try {
    return eventDigest(value);
  } catch {
    return undefined;
  }
}

function hashOrUndefined(value: Record<string, unknown>): string | undefined {
  try {
    return eventHash(value);
  } catch {
    return undefined;
  }
}

// A checkpoint line is a few hundred bytes; a window this size holds it whole.
const CHECKPOINT_WINDOW_BYTES = 16 * 1024;

/** Whether the line that ends at `state.position` is the checkpoint `state` was saved with. */
async function checkpointEndsAt(instancePath: string, state: InstanceState): Promise<boolean> {
  const { segment, offset } = state.position;
  const start = Math.max(0, offset - CHECKPOINT_WINDOW_BYTES);
  let window: Buffer;
  try {
    const handle = await open(join(instancePath, segmentFileName(segment)), "r");
    try {
      window = Buffer.alloc(offset - start);
      const { bytesRead } = await handle.read(window, 0, window.length, start);
      if (bytesRead !== window.length) return false;
    } finally {
      await handle.close();
    }
  } catch {
    return false;
  }
  if (window.length === 0 || window[window.length - 1] !== NEWLINE) return false;
  const lineStart = window.lastIndexOf(NEWLINE, window.length - 2) + 1;
  if (lineStart === 0 && start > 0) return false;
  let line: Record<string, unknown>;
  try {
    line = JSON.parse(window.toString("utf8", lineStart, window.length - 1)) as Record<string, unknown>;
  } catch {
    return false;
  }
  return line.schema === CHECKPOINT_SCHEMA && line.sequence === state.checkpoint.sequence && hashOrUndefined(line) === state.checkpoint.hash;
}

/** Whether the log holds `position`: its segment exists and is at least that long. */
async function logReaches(instancePath: string, position: LogPosition): Promise<boolean> {
  try {
    return (await stat(join(instancePath, segmentFileName(position.segment)))).size >= position.offset;
  } catch {
    return false;
  }
}
