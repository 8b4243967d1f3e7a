/**
 * The events of a log that follow its last checkpoint. No signed record
 * counts them: records deleted among them (with any checkpoint after them)
 * leave no trace, so a flow with events there may have had more (the
 * verifier's `checkpoint.uncovered_events` warning, per log). The writer
 * checkpoints at least every second while events flow, so a healthy log's
 * tail is short; a long one is a writer killed without shutdown(), or a log
 * cut back.
 */
import type { LogStream } from "../../evidence/log-reader.js";

/** The event records (by identity, as the log reader returned them) after the last checkpoint of their log. */
export function unattestedRecords(streams: readonly LogStream[]): Set<object> {
  const tail = new Set<object>();
  for (const stream of streams) {
    let lastCheckpoint = -1;
    stream.entries.forEach((entry, i) => {
      if (entry.kind === "checkpoint") lastCheckpoint = i;
    });
    for (const entry of stream.entries.slice(lastCheckpoint + 1)) if (entry.kind === "event") tail.add(entry.record);
  }
  return tail;
}
