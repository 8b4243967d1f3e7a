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
 *
 * No events after the last checkpoint is not proof of an intact end either:
 * only a `shutdown` checkpoint says the writer stopped there. A log cut back
 * exactly to a `count` or `interval` checkpoint looks like a live writer's,
 * so it is reported too, as is a log holding no records at all.
 */
import type { CheckpointRecord, CheckpointTrigger } from "../checkpoint.js";
import type { Finding, VerifyWarning } from "./findings.js";
import type { SignedTree } from "./checkpoint-sequence.js";

export class CheckpointCoverage {
  private sinceCheckpoint = 0;
  private lastSequence: number | undefined;
  private lastTrigger: CheckpointTrigger | undefined;
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
    this.lastTrigger = checkpoint.trigger;
    this.sinceCheckpoint = 0;
  }

  /** What the end of the log `source` shows about the events after its last checkpoint. */
  finish(source: string): { finding?: Finding; warning?: VerifyWarning } {
    const uncovered = this.sinceCheckpoint;
    if (uncovered === 0) {
      if (this.lastTrigger === undefined || this.lastTrigger === "shutdown") return {};
      return {
        warning: {
          reason: "log.unattested_end",
          detail: `${source}: the log ends at checkpoint ${this.lastSequence} (${JSON.stringify(this.lastTrigger)}), not at a "shutdown" checkpoint: nothing signed shows that no records (or checkpoints) followed it. A writer still running or stopped without shutdown() leaves such an end; a checkpoint published to a witness (--checkpoint) shows whether the log went further`,
        },
      };
    }
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

/** The warning for a log that holds no records: nothing signed is left to show what it held. */
export function emptyLogWarning(source: string, segments: number): VerifyWarning {
  const what = segments === 0 ? "the log holds no records (no events-*.jsonl segment)" : "the log holds no records";
  return {
    reason: "log.empty",
    detail: `${source}: ${what}. A writer that started and recorded nothing (still running, or killed) leaves this, and so does a log emptied or whose segments were deleted; a checkpoint published to a witness (--checkpoint) shows whether it held more`,
  };
}
