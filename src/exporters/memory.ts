import type { ExecutionEvent, Exporter } from "../core/types.js";
import { RingBuffer } from "./ring-buffer.js";
import { OptionsReader } from "../core/options/options-reader.js";
import { trustExporter, userCopy } from "../core/shared-event.js";

/** Options of {@link MemoryExporter}. */
export interface MemoryExporterOptions {
  /**
   * How many events are kept. When full, each new event evicts the oldest.
   * A positive integer; default `1000`.
   */
  maxEvents?: number;
}

const OWNER = "MemoryExporter";

/**
 * Keeps the most recent events in memory: for tests, local debugging and the
 * default client. Storage is a preallocated ring buffer, so `export` is O(1)
 * and memory stays bounded however many events pass through.
 *
 * It keeps the event object it is handed, which the client's other exporters
 * of this package may share: `getEvents()` therefore returns copies, and
 * changing what it returns changes nothing anywhere.
 *
 * @example
 * const memory = new MemoryExporter({ maxEvents: 100 });
 * const client = createIntentProofClient({ exporters: [memory] });
 * // … later
 * memory.getEvents(); // oldest first
 */
export class MemoryExporter implements Exporter {
  /** The capacity this exporter was built with. */
  readonly maxEvents: number;
  private readonly buffer: RingBuffer<ExecutionEvent>;

  /** @throws TypeError when `maxEvents` is not a positive integer. */
  constructor(options?: MemoryExporterOptions) {
    this.maxEvents = new OptionsReader(OWNER, options, ["maxEvents"]).positiveInteger("maxEvents", 1000);
    this.buffer = new RingBuffer<ExecutionEvent>(this.maxEvents);
    if (new.target === MemoryExporter) trustExporter(this);
  }

  /** Stores the event (the object itself, not a copy, never changed), evicting the oldest when full. */
  export(event: ExecutionEvent): void {
    this.buffer.pushEvicting(event);
  }

  /**
   * The kept events, oldest first: a new array of deep copies, so a reader
   * that changes them changes neither this exporter nor any other.
   */
  getEvents(): ExecutionEvent[] {
    const events = this.buffer.toArray();
    for (let i = 0; i < events.length; i++) events[i] = userCopy(events[i]!);
    return events;
  }

  /** How many events are kept right now. */
  get size(): number {
    return this.buffer.size;
  }

  /** Forgets every kept event. */
  clear(): void {
    this.buffer.clear();
  }

  /** Nothing is buffered for delivery; resolves at once. */
  flush(): Promise<void> {
    return Promise.resolve();
  }
}
