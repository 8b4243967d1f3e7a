/** Naming the record that makes a flow unbuildable: its file and line, never its content. */
import { canonicalize } from "../../evidence/jcs.js";
import type { LogStream } from "../../evidence/log-reader.js";

/** The first of `items` that cannot be canonicalized (e.g. nested deeper than the stack allows), as `<file>:<line>: why`; undefined when every one can. */
export function describeUnusableRecord(items: readonly object[], streams: readonly LogStream[]): string | undefined {
  for (const item of items) {
    try {
      canonicalize(item);
    } catch (error) {
      const entry = streams.flatMap((s) => s.entries).find((e) => (e.kind === "event" ? e.record : e.kind === "other" ? e.value : undefined) === item);
      return `${entry === undefined ? "a record" : `${entry.file}:${entry.line}`}: ${(error as Error).message}`;
    }
  }
  return undefined;
}
