import type { ExecutionEvent, Exporter } from "../core/types.js";
import { RingBuffer } from "./ring-buffer.js";
import { OptionsReader } from "../core/options/options-reader.js";

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
  }

  /** Stores the event (the object itself, not a copy), evicting the oldest when full. */
  export(event: ExecutionEvent): void {
    this.buffer.pushEvicting(event);
  }

  /** The kept events, oldest first, in a new array. */
  getEvents(): ExecutionEvent[] {
    return this.buffer.toArray();
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
