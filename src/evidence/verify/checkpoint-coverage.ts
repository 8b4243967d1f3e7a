/**
 * Events after a log's last checkpoint are counted by nothing signed: records
 * deleted among them, with the checkpoints after them, leave no trace in the
 * log itself. The verifier cannot prove such a cut, but it can bound it: the
 * writer writes a checkpoint as soon as `checkpointEvery` events follow the
 * last one, and every `count` checkpoint it wrote shows that number (its
 * `log_size` minus the previous one's; a restart keeps counting from the log).
 * More events after the last checkpoint than that cannot come from the
 * writer (unless `checkpointEvery` was raised across a restart). Fewer are
 * what a running writer, or one stopped without `shutdown()`, leaves:
 * reported, not failed.
 */
import type { CheckpointRecord } from "../checkpoint.js";
import type { Finding, VerifyWarning } from "./findings.js";
import type { SignedTree } from "./checkpoint-sequence.js";

export class CheckpointCoverage {
  private sinceCheckpoint = 0;
  private lastSequence: number | undefined;
  /** The most events the writer let pass before a `count` checkpoint, if it wrote one. */
  private countInterval: number | undefined;

  event(): void {
    this.sinceCheckpoint++;
  }

  /** A well-formed checkpoint line; `previous` is the checkpoint before it in this log. */
  checkpoint(checkpoint: CheckpointRecord, previous: SignedTree | undefined): void {
    // Only a gap between consecutive checkpoints is the writer's count (a missing one is reported elsewhere).
    if (checkpoint.trigger === "count" && checkpoint.sequence === (previous?.sequence ?? 0) + 1) {
      const gap = checkpoint.log_size - (previous?.log_size ?? 0);
      if (gap > 0) this.countInterval = Math.max(this.countInterval ?? 0, gap);
    }
    this.lastSequence = checkpoint.sequence;
    this.sinceCheckpoint = 0;
  }

  /** What the end of the log `source` shows about the events after its last checkpoint. */
  finish(source: string): { finding?: Finding; warning?: VerifyWarning } {
    const uncovered = this.sinceCheckpoint;
    if (uncovered === 0) return {};
    const after = this.lastSequence === undefined ? "no checkpoint precedes them" : `they follow checkpoint ${this.lastSequence}`;
    if (this.countInterval !== undefined && uncovered > this.countInterval) {
      return {
        finding: {
          reason: "checkpoint.missing",
          detail: `${source}: ${uncovered} events end the log and ${after}, but this writer writes a checkpoint after every ${this.countInterval} events (its "count" checkpoints): the checkpoints after them were removed, and records with them cannot be ruled out`,
        },
      };
    }
    return {
      warning: {
        reason: "checkpoint.uncovered_events",
        detail: `${source}: ${uncovered} events end the log and ${after}: nothing signed counts them, so a record deleted among them (with any checkpoint after it) would not show. A writer still running or stopped without shutdown() leaves such events; a checkpoint published to a witness (--checkpoint) shows whether the log went further`,
      },
    };
  }
}
