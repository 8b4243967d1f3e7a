/**
 * At-least-once delivery of an instance's log to an ingest endpoint
 * (`POST <url>/v1/events`, one signed event per request, JSON body = the
 * record). It reads the log files, not memory, so nothing written is lost
 * to a crash: a cursor (`ship-cursor.json`) records how far delivery got and
 * a restart resumes there. An event may be sent twice (crash between the
 * answer and the cursor write); the ingest treats a repeated `event_id` as
 * already accepted.
 *
 * Answers: 2xx accepted (or already had it) → next. 409 chain conflict and
 * other 4xx → reported, then skipped (retrying cannot change the answer).
 * 401 unknown key, 408, 429, 5xx, network errors, timeouts → reported and
 * retried with exponential backoff and full jitter, in order.
 */
import { nodeHttp, nodeHttps } from "../exporters/node-http.js";
import { open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { EvidenceError } from "./errors.js";
import { replacePrivateFile } from "./private-files.js";
import { listSegments, type LogPosition } from "./segment-log.js";
import type { ResolvedShipOptions } from "./ship-options.js";

export const SHIP_CURSOR_FILE = "ship-cursor.json";
const READ_CHUNK = 1 << 20;
const CURSOR_SAVE_EVERY = 100;

interface Answer {
  status: number;
  body: string;
}

function post(options: ResolvedShipOptions, body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // Loaded on first use: most processes never ship, and these modules cost ~10 ms at import.
    const send = options.endpoint.protocol === "https:" ? nodeHttps().request : nodeHttp().request;
    const req = send(
      options.endpoint,
      {
        method: "POST",
        headers: { ...options.headers, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        timeout: options.timeoutMs,
      },
      (res) => {
        const parts: Buffer[] = [];
        let size = 0;
        res.on("data", (part: Buffer) => {
          if (size < 4096) parts.push(part);
          size += part.length;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString("utf8").slice(0, 300) }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

export class Shipper {
  private cursor: LogPosition = { segment: 1, offset: 0 };
  private stopping = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private caughtUp = false;
  private sinceSave = 0;
  /** Events delivered (2xx) since start. */
  delivered = 0;
  /** Events skipped after a permanent rejection since start. */
  rejected = 0;

  constructor(
    private readonly instancePath: string,
    private readonly options: ResolvedShipOptions,
    private readonly report: (error: EvidenceError) => void,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  /** New data was written: look again now. */
  nudge(): void {
    this.caughtUp = false;
    this.wake?.();
  }

  /** Waits (at most `timeoutMs`) for delivery to reach the end of the log, then stops. */
  async stop(timeoutMs: number): Promise<void> {
    this.nudge();
    const deadline = Date.now() + timeoutMs;
    while (!this.caughtUp && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    this.stopping = true;
    this.wake?.();
    await this.loop;
    await this.saveCursor();
  }

  private async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
    this.wake = undefined;
  }

  private async loadCursor(): Promise<void> {
    try {
      const saved = JSON.parse(await readFile(join(this.instancePath, SHIP_CURSOR_FILE), "utf8")) as LogPosition;
      if (Number.isSafeInteger(saved.segment) && Number.isSafeInteger(saved.offset)) this.cursor = saved;
    } catch {
      // first run: from the start of the log
    }
  }

  private async saveCursor(): Promise<void> {
    this.sinceSave = 0;
    try {
      await replacePrivateFile(join(this.instancePath, `${SHIP_CURSOR_FILE}.tmp`), join(this.instancePath, SHIP_CURSOR_FILE), JSON.stringify(this.cursor));
    } catch (error) {
      this.report(new EvidenceError("ship_failed", `could not save the delivery cursor: ${(error as Error).message}`, 0, { cause: error }));
    }
  }

  /** The next whole lines after the cursor (one read), each with the position after it. */
  private async readAhead(): Promise<{ line: string; next: LogPosition }[]> {
    const segments = await listSegments(this.instancePath);
    for (const { index, path } of segments) {
      if (index < this.cursor.segment) continue;
      const offset = index === this.cursor.segment ? this.cursor.offset : 0;
      const handle = await open(path, "r");
      let data: Buffer;
      try {
        const buffer = Buffer.alloc(READ_CHUNK);
        const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK, offset);
        data = buffer.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
      const lines: { line: string; next: LogPosition }[] = [];
      let start = 0;
      for (let end = data.indexOf(0x0a); end !== -1; end = data.indexOf(0x0a, start)) {
        lines.push({ line: data.toString("utf8", start, end), next: { segment: index, offset: offset + end + 1 } });
        start = end + 1;
      }
      if (lines.length > 0) return lines;
      // This segment is exhausted: continue in the next one, if there is one.
      const later = segments.find((s) => s.index > index);
      if (later === undefined || data.length > 0) return [];
      this.cursor = { segment: later.index, offset: 0 };
    }
    return [];
  }

  private async run(): Promise<void> {
    await this.loadCursor();
    let failures = 0;
    while (!this.stopping) {
      let lines: { line: string; next: LogPosition }[];
      try {
        lines = await this.readAhead();
      } catch (error) {
        this.report(new EvidenceError("ship_failed", `could not read the log for delivery: ${(error as Error).message}`, 0, { cause: error }));
        await this.sleep(this.options.retryMaxMs);
        continue;
      }
      if (lines.length === 0) {
        this.caughtUp = true;
        if (this.sinceSave > 0) await this.saveCursor();
        await this.sleep(1000);
        continue;
      }
      for (const { line, next } of lines) {
        if (this.stopping) break;
        let isEvent = false;
        try {
          isEvent = (JSON.parse(line) as { schema?: unknown }).schema === "intentproof.event.v1";
        } catch {
          isEvent = false;
        }
        while (isEvent && !this.stopping) {
          const outcome = await this.deliver(line);
          if (outcome === "retry") {
            failures++;
            // Full jitter: a random delay up to the exponential bound, so many instances do not retry in step.
            const bound = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** Math.min(failures - 1, 20));
            await this.sleep(Math.random() * bound);
            continue;
          }
          failures = 0;
          break;
        }
        if (this.stopping) break;
        this.cursor = next;
        if (++this.sinceSave >= CURSOR_SAVE_EVERY) await this.saveCursor();
      }
    }
  }

  private async deliver(line: string): Promise<"next" | "retry"> {
    let answer: Answer;
    try {
      answer = await post(this.options, line);
    } catch (error) {
      this.report(new EvidenceError("ship_failed", `POST ${this.options.endpoint.href} failed: ${(error as Error).message}; retrying`, 0, { cause: error }));
      return "retry";
    }
    if (answer.status >= 200 && answer.status < 300) {
      this.delivered++;
      return "next";
    }
    const retryable = answer.status === 401 || answer.status === 408 || answer.status === 429 || answer.status >= 500;
    this.report(
      new EvidenceError(
        "ship_failed",
        `POST ${this.options.endpoint.href} answered ${answer.status}${answer.status === 409 ? " (chain conflict)" : answer.status === 401 ? " (unknown key)" : ""}: ${answer.body}${retryable ? "; retrying" : "; skipped"}`,
      ),
    );
    if (retryable) return "retry";
    this.rejected++;
    return "next";
  }
}
