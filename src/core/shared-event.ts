/**
 * Which exporters of a client may share the one event object a call built,
 * and which get a copy of their own (issue 9 item 13: no exporter, and no
 * reader of what an exporter holds, can change what another received).
 *
 * The package's own exporters are trusted: they never change an event they
 * are handed, and whatever of it reaches user code (an `onError` hook, a
 * `MemoryExporter.getEvents()` reader) is a copy. They all share the
 * original, so adding one costs no copy on the caller's path. Any other
 * exporter (user code) gets its own deep copy whenever another exporter is
 * configured; the only exporter of a client gets the original.
 *
 * Not part of the public API: the evidence and policy layers mark their
 * exporters here (core imports neither).
 */
import { copyEvent } from "./event-copy.js";
import type { AnyExporter, ExecutionEvent } from "./types.js";

const trusted = new WeakSet<object>();

/**
 * @internal Marks an exporter of this package as trusted (see above). Its
 * class calls this in its constructor for its own instances only (not for a
 * subclass, whose `export` may differ).
 */
export function trustExporter(exporter: object): void {
  trusted.add(exporter);
}

/**
 * @internal Whether `exporter` was marked trusted and still runs its class's
 * `export` (one replaced on the instance, e.g. by a test spy, is user code).
 */
export function isTrustedExporter(exporter: unknown): boolean {
  return (
    typeof exporter === "object" &&
    exporter !== null &&
    trusted.has(exporter) &&
    !Object.prototype.hasOwnProperty.call(exporter, "export")
  );
}

/**
 * For each of `exporters`, whether it is handed the event object itself
 * (`true`) or a copy of its own (`false`). Computed once per configuration.
 *
 * - one exporter: the original;
 * - some trusted: they share the original, every other exporter gets a copy;
 * - none trusted: copies for all but the last, which gets the original
 *   (every copy is taken before it runs, so it changes nothing for them).
 */
export function eventSharing(exporters: readonly AnyExporter[]): readonly boolean[] {
  const last = exporters.length - 1;
  const shares = exporters.map(isTrustedExporter);
  if (!shares.includes(true) && last >= 0) shares[last] = true;
  return Object.freeze(shares);
}

/**
 * @internal The event as a trusted exporter hands it to user code (an error
 * or drop hook, a `getEvents()` reader): a copy, so that code cannot change
 * what the exporters sharing the original hold. A value that is not an event
 * (something a user exported by hand) is passed as is.
 */
export function userCopy<T extends ExecutionEvent | undefined>(event: T): T {
  if (event === undefined) return event;
  try {
    return copyEvent(event) as T;
  } catch {
    return event;
  }
}
