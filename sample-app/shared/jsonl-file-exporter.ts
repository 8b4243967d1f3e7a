/**
 * Appends each event as one JSON line to a local file: a durable copy of the
 * records you can grep, diff or hand over, with no collector running.
 */
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname } from "node:path";
import type { ExecutionEvent, Exporter } from "intentproof";

export class JsonLinesFileExporter implements Exporter {
  private readonly stream: WriteStream;
  private pendingWrites = 0;
  private idleWaiters: Array<() => void> = [];
  private broken = false;
  private closing: Promise<void> | undefined;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    // Records hold business data: the file is created readable by its owner only.
    this.stream = createWriteStream(path, { flags: "a", mode: 0o600 });
    this.stream.on("error", (error) => {
      if (!this.broken) console.error(`sample-app: cannot write events to ${path}: ${error.message}`);
      this.broken = true;
      this.pendingWrites = 0;
      this.wakeIdleWaiters();
    });
  }

  export(event: ExecutionEvent): void {
    if (this.broken || this.closing) return;
    this.pendingWrites++;
    this.stream.write(`${JSON.stringify(event)}\n`, () => {
      this.pendingWrites = Math.max(0, this.pendingWrites - 1);
      if (this.pendingWrites === 0) this.wakeIdleWaiters();
    });
  }

  /** Resolves once every line handed to `export` so far is written to the file. */
  flush(): Promise<void> {
    if (this.pendingWrites === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Writes what is pending, then closes the file. Later exports are ignored. */
  shutdown(): Promise<void> {
    this.closing ??= this.flush().then(
      () =>
        new Promise<void>((resolve) => {
          if (this.stream.destroyed) return resolve();
          this.stream.end(() => resolve());
        }),
    );
    return this.closing;
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
