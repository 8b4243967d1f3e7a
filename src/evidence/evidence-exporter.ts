/**
 * EvidenceExporter: every ExecutionEvent becomes a signed, chained
 * `intentproof.event.v1` record in a durable local log.
 *
 * The caller's path only appends the event to a queue (and schedules one
 * setImmediate per batch). Everything slow runs after it, in order:
 *
 *   queue → seal (map, schema check, chain link, JCS, SHA-256, Merkle leaf),
 *           at most SEAL_PER_TICK per turn of the event loop
 *         → Ed25519 signatures, per batch, on a worker thread (signing-worker.ts)
 *         → chunks of JSONL text, in seal order → one sequential writer (append, fdatasync)
 *         → checkpoints (signed Merkle root over the log) every N events / T ms
 *
 * Positions are assigned at sealing, in emission order, so a chain never
 * forks. Writes that fail are retried with the text kept, so chains never
 * get holes; when the disk cannot keep up, the bounded backlog fills and new
 * events are refused at the door, before they get a position.
 *
 * This file is the door and the pipeline's control flow; the machinery
 * behind it (exporter-machinery.ts) is loaded by start(), so importing the
 * package does not pay for it. Until it has loaded, events queue as they do
 * while the instance opens, and flush()/shutdown() wait for the start.
 */
import { trustExporter } from "../core/shared-event.js";
import type { ExecutionEvent, Exporter, ExporterDrainOptions } from "../core/types.js";
import { specV1Validator } from "../schema/spec-v1.js";
import { describeViolations, type ValidateFunction } from "../schema/validator.js";
import type { ChainBook } from "./chain-book.js";
import type { CheckpointRecord, CheckpointTrigger } from "./checkpoint.js";
import { ErrorReporter } from "./error-reporter.js";
import { EvidenceError } from "./errors.js";
import { appendSignedLine, canonicalDigest, eventHash, formatSha256, GENESIS_PREV_HASH } from "./event-hash.js";
import type { ChainHead, HeadStore } from "./head-store.js";
import type { PublicKeySet } from "./key-set.js";
import type { OpenedInstance } from "./instance-store.js";
import { LogTree } from "./log-tree.js";
import { readEvidenceOptions, type EvidenceExporterOptions, type ResolvedEvidenceOptions } from "./options.js";
import type { SegmentLog } from "./segment-log.js";
import type { Shipper } from "./shipper.js";
import type { BatchSigner } from "./signing-worker.js";

type Machinery = typeof import("./exporter-machinery.js");

/** At most this many events, and at most SEAL_BUDGET_MS, per turn of the event loop: a loaded machine must not stretch one turn. */
const SEAL_PER_TICK = 64;
const SEAL_BUDGET_MS = 2;
/** Records per message to the signing worker at most. */
const SIGN_BATCH = 256;
const RETRY_FIRST_MS = 50;
const RETRY_MAX_MS = 5_000;
/** How long shutdown() keeps retrying a failing disk before giving the rest up as dropped. */
const SHUTDOWN_WRITE_GRACE_MS = 5_000;
/** Time kept before the client's deadline to count and report what is given up. */
const DEADLINE_MARGIN_MS = 250;

/**
 * The write grace of a shutdown: the default, cut short so that everything
 * given up is counted and reported before the client stops waiting.
 */
function writeGraceMs(options: ExporterDrainOptions | undefined): number {
  const deadline = options?.deadline;
  if (typeof deadline !== "number" || !Number.isFinite(deadline)) return SHUTDOWN_WRITE_GRACE_MS;
  return Math.max(0, Math.min(SHUTDOWN_WRITE_GRACE_MS, deadline - Date.now() - DEADLINE_MARGIN_MS));
}

interface Chunk {
  /** The chunk's JSONL lines, in order, as the bytes to append (a line may span pieces: appendSignedLine). */
  lines: Uint8Array[];
  events: number;
  /** `processed` when the chunk was made: everything taken from the queue before it is in it or dropped. */
  processedThrough: number;
  checkpoint?: { record: CheckpointRecord; heads: Map<string, ChainHead>; merkle: { size: number; roots: string[] } };
}

/** Counters of an EvidenceExporter. */
export interface EvidenceStats {
  /** Events taken by export(). */
  accepted: number;
  /** Events sealed (signed and chained). */
  sealed: number;
  /** Sealed events written to the log. */
  written: number;
  /** Events lost: refused at the door or failed after it. Each one was reported. */
  dropped: number;
  /** Accepted events not yet written. */
  backlog: number;
  checkpoints: number;
  openChains: number;
}

/** Where an exporter writes, once it has started. */
export interface EvidenceInstanceInfo {
  directory: string;
  instanceId: string;
  instancePath: string;
  keyId: string;
  tenantId: string;
  /** Every public key this instance has signed with (identity.json), as a key set. */
  publicKeys: PublicKeySet;
}

export class EvidenceExporter implements Exporter {
  private readonly options: ResolvedEvidenceOptions;
  private readonly reporter: ErrorReporter;
  private readonly validate: ValidateFunction;
  private readonly started: Promise<void>;

  // Caller path state.
  private queue: (ExecutionEvent | undefined)[] = [];
  private queueHead = 0;
  private backlog = 0;
  private scheduled = false;
  private closed = false;

  private phase: "starting" | "ready" | "failed" = "starting";
  /** Loaded by start(); used only once `phase` is "ready". */
  private machinery!: Machinery;
  private startError: EvidenceError | undefined;
  private instance!: OpenedInstance;
  private log!: SegmentLog;
  private store!: HeadStore;
  private chains!: ChainBook;
  private tree = new LogTree();
  private checkpointSequence = 0;
  private checkpointHash = GENESIS_PREV_HASH;
  private sinceCheckpoint = 0;
  private lastCheckpointAt = Date.now();
  private checkpointDue: CheckpointTrigger | undefined;
  private shipper: Shipper | undefined;

  private sealing = false;
  private writing = false;
  private unsynced = false;
  private abandonWrites = false;
  private readonly chunks: Chunk[] = [];
  /** Sealed batches in log order, waiting for their signatures before they join `chunks`. */
  private readonly outbox: { chunk: Chunk | undefined }[] = [];
  private signer!: BatchSigner;
  /**
   * Sealed records not yet sent to the signer, as their canonical bytes (their
   * digests in signDigests); batched across turns while the queue is busy.
   */
  private readonly signRecords: Buffer[] = [];
  private readonly signDigests: Buffer[] = [];
  private processed = 0;
  private durableThrough = 0;
  private flushWaiters: { target: number; resolve: () => void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private shutdownPromise: Promise<void> | undefined;
  /** Ends the current retry backoff early (set while one is waiting). */
  private wakeRetry: (() => void) | undefined;

  private readonly counters = { accepted: 0, sealed: 0, written: 0, dropped: 0, checkpoints: 0 };
  private droppedSinceFlush = 0;
  private lastDropError: EvidenceError | undefined;

  /** @throws TypeError for a missing or malformed option (never later, never on the caller's path). */
  constructor(options: EvidenceExporterOptions) {
    this.options = readEvidenceOptions(options);
    this.reporter = new ErrorReporter(this.options.onError);
    this.validate = specV1Validator("execution_event");
    this.started = this.start();
    // It only reads the event (onError gets a copy): it may share the object
    // other exporters hold.
    if (new.target === EvidenceExporter) trustExporter(this);
  }

  /** Queues the event for sealing. O(1); never throws. A refused event is counted and reported to `onError`. */
  export(event: ExecutionEvent): void {
    if (this.closed || this.backlog >= this.options.maxBacklog || this.phase === "failed") {
      this.refuse(event);
      return;
    }
    this.backlog++;
    this.counters.accepted++;
    this.queue.push(event);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.onTick);
    }
  }

  /** Resolves once every event accepted before the call is on disk (or dropped and reported); rejects with a summary when events were dropped since the last flush. */
  async flush(): Promise<void> {
    await this.settle();
    this.throwDrops();
  }

  /**
   * Stops accepting, writes everything queued, a final checkpoint, lets
   * delivery catch up (bounded), and releases the instance lock.
   */
  shutdown(options?: ExporterDrainOptions): Promise<void> {
    this.shutdownPromise ??= this.close(writeGraceMs(options));
    return this.shutdownPromise;
  }

  /** Where this exporter writes; rejects when it could not start. */
  async ready(): Promise<EvidenceInstanceInfo> {
    await this.started;
    if (this.phase !== "ready") throw this.startError ?? new EvidenceError("unavailable", "the exporter did not start");
    return {
      directory: this.options.directory,
      instanceId: this.instance.instanceId,
      instancePath: this.instance.path,
      keyId: this.instance.keyId,
      tenantId: this.options.tenantId,
      publicKeys: { keys: this.instance.identity.keys.map((k) => ({ key_id: k.key_id, alg: k.alg, public_key: k.public_key })) },
    };
  }

  stats(): EvidenceStats {
    return {
      ...this.counters,
      backlog: this.backlog,
      openChains: this.phase === "ready" ? this.chains.openCount : 0,
    };
  }

  // ---- door ----------------------------------------------------------

  // Refusals can come by the thousand when the disk falls behind: one error
  // object per kind is reused (no stack capture per event), the default
  // report is rate-limited, and flush() sums them up.
  private readonly refusals = new Map<string, EvidenceError>();

  private refuse(event: ExecutionEvent): void {
    const code = this.closed ? "closed" : this.phase === "failed" ? "unavailable" : "backlog_full";
    let error = this.refusals.get(code);
    if (error === undefined) {
      error =
        code === "closed" ? new EvidenceError("closed", "the exporter was shut down; an event was dropped", 1)
        : code === "unavailable" ? new EvidenceError("unavailable", `the exporter could not start (${this.startError?.message ?? "unknown"}); an event was dropped`, 1)
        : new EvidenceError("backlog_full", `${this.options.maxBacklog} events are waiting for the disk (maxBacklog); an event was dropped`, 1);
      this.refusals.set(code, error);
    }
    this.dropAfterDoor(error, event);
  }

  private dropAfterDoor(error: EvidenceError, event?: ExecutionEvent): void {
    this.counters.dropped += error.dropped;
    this.droppedSinceFlush += error.dropped;
    this.lastDropError = error;
    this.reporter.report(error, event);
  }

  private throwDrops(): void {
    if (this.droppedSinceFlush === 0) return;
    const count = this.droppedSinceFlush;
    const last = this.lastDropError;
    this.droppedSinceFlush = 0;
    throw new EvidenceError(last?.code ?? "write_failed", `${count} event(s) were dropped since the last flush; last: ${last?.message ?? "unknown"}`, count, { cause: last });
  }

  // ---- start and recovery -------------------------------------------

  private async start(): Promise<void> {
    try {
      this.machinery = await import("./exporter-machinery.js");
      const { openInstance, BatchSigner, Shipper } = this.machinery;
      const request = { directory: this.options.directory, tenantId: this.options.tenantId } as Parameters<typeof openInstance>[0];
      if (this.options.instanceId !== undefined) request.instanceId = this.options.instanceId;
      if (this.options.keyId !== undefined) request.keyId = this.options.keyId;
      if (this.options.keyFile !== undefined) request.keyFile = this.options.keyFile;
      if (this.options.signingKey !== undefined) request.signingKey = this.options.signingKey;
      this.instance = await openInstance(request);
      try {
        await this.recover();
      } catch (error) {
        await this.instance.lock.release();
        throw error;
      }
      this.signer = new BatchSigner(this.instance.privateKey);
      this.phase = "ready";
      this.timer = setInterval(this.onTimer, Math.min(this.options.checkpointIntervalMs, 1000));
      this.timer.unref();
      if (this.options.ship !== undefined) {
        this.shipper = new Shipper(this.instance.path, this.options.ship, (error) => this.reporter.report(error));
        this.shipper.start();
      }
      this.schedule();
    } catch (error) {
      this.phase = "failed";
      this.startError =
        error instanceof EvidenceError ? error : new EvidenceError("unavailable", `cannot use ${this.options.directory}: ${(error as Error).message}`, 0, { cause: error });
      const waiting = this.queue.length - this.queueHead;
      this.queue = [];
      this.queueHead = 0;
      this.backlog = 0;
      this.processed += waiting;
      this.durableThrough = this.processed;
      if (waiting > 0) this.dropAfterDoor(new EvidenceError("unavailable", `${this.startError.message}; ${waiting} queued event(s) dropped`, waiting));
      else this.reporter.report(this.startError);
      this.resolveFlushWaiters();
    }
  }

  /** Rebuilds chain heads, the Merkle tree and the checkpoint link from state.json and the log after it. */
  private async recover(): Promise<void> {
    const recovered = await this.machinery.recoverInstance(this.instance.path, this.options);
    this.store = recovered.store;
    this.chains = recovered.chains;
    this.tree = recovered.tree;
    this.checkpointSequence = recovered.checkpointSequence;
    this.checkpointHash = recovered.checkpointHash;
    this.sinceCheckpoint = recovered.sinceCheckpoint;
    this.log = recovered.log;
    for (const notice of recovered.notices) this.reporter.report(notice);
  }

  // ---- sealing -------------------------------------------------------

  private readonly onTick = (): void => {
    this.scheduled = false;
    if (this.phase !== "ready" || this.sealing) return;
    void this.sealBatch();
  };

  private schedule(): void {
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.onTick);
    }
  }

  private async sealBatch(): Promise<void> {
    this.sealing = true;
    const records = this.signRecords;
    const digests = this.signDigests;
    const closeBatch = () => this.flushSignBuffer();
    try {
      const now = Date.now();
      const budgetEnd = performance.now() + SEAL_BUDGET_MS;
      for (let n = 0; n < SEAL_PER_TICK && this.queueHead < this.queue.length && (n === 0 || performance.now() < budgetEnd); n++) {
        const event = this.queue[this.queueHead] as ExecutionEvent;
        this.queue[this.queueHead++] = undefined;
        try {
          const correlationId = this.machinery.recordCorrelationId(event);
          const known = this.chains.peek(correlationId);
          let head: ChainHead | undefined;
          if (known === "lookup") {
            closeBatch();
            head = await this.chains.load(correlationId);
          } else {
            head = known;
          }
          const sealed = this.seal(event, correlationId, head, now);
          records.push(sealed.canonical);
          digests.push(sealed.digest);
          this.processed++;
          if (records.length >= SIGN_BATCH) closeBatch();
        } catch (error) {
          this.processed++;
          this.backlog--;
          this.dropAfterDoor(
            error instanceof EvidenceError ? error : new EvidenceError("seal_failed", `could not seal an event: ${(error as Error).message}`, 1, { cause: error }),
            event,
          );
          continue;
        }
        if (++this.sinceCheckpoint >= this.options.checkpointEvery) {
          closeBatch();
          this.pushCheckpoint("count");
        }
      }
      // While more events wait, keep filling the batch: one message to the
      // signer per few hundred events, not one per turn of the event loop.
      if (this.queueHead >= this.queue.length || this.checkpointDue !== undefined) closeBatch();
      if (this.checkpointDue !== undefined && this.sinceCheckpoint > 0) this.pushCheckpoint(this.checkpointDue);
      this.checkpointDue = undefined;
      if (this.queueHead === this.queue.length) {
        // Drained: reuse the same small array, so export() keeps pushing onto a short, packed one.
        this.queue.length = 0;
        this.queueHead = 0;
      } else if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.queueHead);
        this.queueHead = 0;
      }
    } finally {
      this.sealing = false;
    }
    if (this.queueHead < this.queue.length) this.schedule();
    this.markIdleDurable();
    void this.writeLoop();
  }

  /**
   * Maps, checks and chains one event. The chain link and the Merkle leaf are
   * the record's digest (without signature), so they are final here; the
   * signature is added when the signer returns.
   */
  private seal(event: ExecutionEvent, correlationId: string, head: ChainHead | undefined, now: number): { canonical: Buffer; digest: Buffer } {
    const { ChainBook, toUnsignedRecord, looksValid } = this.machinery;
    const { position, prevHash } = ChainBook.next(head);
    const unsigned = toUnsignedRecord(event, {
      tenantId: this.options.tenantId,
      instanceId: this.instance.instanceId,
      correlationId,
      chainPosition: position,
      prevEventHash: prevHash,
    });
    if (!looksValid(unsigned)) {
      const violations = this.validate({ ...unsigned, signature: { alg: "ed25519", key_id: this.instance.keyId, value: "" } });
      if (violations.length > 0) {
        throw new EvidenceError("invalid_record", `event ${String(event.id)} does not map to a valid v1 record: ${describeViolations(violations).join("; ")}`, 1);
      }
    }
    const sealed = canonicalDigest(unsigned);
    this.chains.advance(correlationId, position, formatSha256(sealed.digest), now);
    this.tree.add(sealed.digest);
    this.counters.sealed++;
    return sealed;
  }

  /** Sends the sealed records waiting for signatures to the signer (before anything that must follow them in the log). */
  private flushSignBuffer(): void {
    if (this.signRecords.length === 0) return;
    this.enqueueForSigning(this.signRecords.splice(0), this.signDigests.splice(0));
  }

  /** Hands a batch to the signer; its chunk joins the write queue in order once signed. */
  private enqueueForSigning(records: Buffer[], digests: Buffer[]): void {
    const slot: { chunk: Chunk | undefined } = { chunk: undefined };
    const processedThrough = this.processed;
    this.outbox.push(slot);
    void this.signer.signBatch(digests).then(
      (signatures) => {
        const lines: Uint8Array[] = [];
        const keyIdJson = JSON.stringify(this.instance.keyId);
        for (let i = 0; i < records.length; i++) {
          appendSignedLine(lines, records[i] as Buffer, `{"alg":"ed25519","key_id":${keyIdJson},"value":"${signatures[i] as string}"}`);
        }
        slot.chunk = { lines, events: records.length, processedThrough };
        this.releaseOutbox();
      },
      (error: unknown) => {
        // Unreachable in practice (the signer falls back to this thread), but never leave a hole.
        slot.chunk = { lines: [], events: 0, processedThrough };
        this.backlog -= records.length;
        this.dropAfterDoor(new EvidenceError("seal_failed", `signing failed: ${(error as Error).message}`, records.length, { cause: error }));
        this.releaseOutbox();
      },
    );
  }

  private releaseOutbox(): void {
    while (this.outbox.length > 0 && (this.outbox[0] as { chunk: Chunk | undefined }).chunk !== undefined) {
      this.chunks.push((this.outbox.shift() as { chunk: Chunk }).chunk);
    }
    this.markIdleDurable();
    void this.writeLoop();
  }

  private pushCheckpoint(trigger: CheckpointTrigger): void {
    this.flushSignBuffer();
    const logSize = this.tree.size;
    const merkleRoot = this.tree.rootHex();
    const { record, hash } = this.machinery.signCheckpoint({
      tenantId: this.options.tenantId,
      instanceId: this.instance.instanceId,
      sequence: this.checkpointSequence + 1,
      logSize,
      merkleRoot,
      consistencyProof: this.tree.checkpoint(),
      prevCheckpointHash: this.checkpointHash,
      trigger,
      keyId: this.instance.keyId,
      privateKey: this.instance.privateKey,
    });
    this.checkpointSequence++;
    this.checkpointHash = hash;
    this.sinceCheckpoint = 0;
    this.lastCheckpointAt = Date.now();
    this.counters.checkpoints++;
    this.outbox.push({
      chunk: {
        lines: [Buffer.from(this.machinery.checkpointLine(record) + "\n", "utf8")],
        events: 0,
        processedThrough: this.processed,
        checkpoint: { record, heads: this.chains.takeDirty(), merkle: this.tree.toJSON() },
      },
    });
    this.releaseOutbox();
  }

  private readonly onTimer = (): void => {
    if (this.phase !== "ready" || this.closed) return;
    const now = Date.now();
    this.chains.sweep(now);
    if (this.sinceCheckpoint === 0 || now - this.lastCheckpointAt < this.options.checkpointIntervalMs) return;
    if (this.sealing) {
      this.checkpointDue = "interval";
      return;
    }
    this.pushCheckpoint("interval");
    void this.writeLoop();
  };

  // ---- writing -------------------------------------------------------

  private async writeLoop(): Promise<void> {
    if (this.writing || this.phase !== "ready") return;
    this.writing = true;
    try {
      while (this.chunks.length > 0 || (this.unsynced && this.flushWaiters.length > 0)) {
        const taken: Chunk[] = [];
        let checkpoint: Chunk["checkpoint"];
        while (this.chunks.length > 0) {
          const chunk = this.chunks.shift() as Chunk;
          taken.push(chunk);
          if (chunk.checkpoint !== undefined) {
            checkpoint = chunk.checkpoint;
            break;
          }
        }
        const events = taken.reduce((sum, c) => sum + c.events, 0);
        if (taken.length > 0) {
          const pieces = taken.flatMap((c) => c.lines);
          // Shared across retries: a write split across segments resumes after the part that landed.
          const progress = { next: 0 };
          const ok = await this.retrying("write", () => this.log.append(pieces, progress));
          if (!ok) {
            this.loseChunks(taken, progress.next);
            continue;
          }
          this.unsynced = true;
          this.counters.written += events;
          this.backlog -= events;
        }
        const mustSync = this.options.fsync === "batch" || checkpoint !== undefined || this.flushWaiters.length > 0 || this.closed;
        if (mustSync && this.unsynced) {
          if (!(await this.retrying("sync", () => this.log.sync()))) {
            this.unsynced = false;
            continue;
          }
          this.unsynced = false;
        }
        if (taken.length > 0 && !this.unsynced) this.durableThrough = Math.max(this.durableThrough, (taken.at(-1) as Chunk).processedThrough);
        if (checkpoint !== undefined) await this.afterCheckpoint(checkpoint);
        this.markIdleDurable();
        this.resolveFlushWaiters();
        if (this.shipper !== undefined && events > 0) this.shipper.nudge();
      }
    } finally {
      this.writing = false;
    }
    this.markIdleDurable();
    this.resolveFlushWaiters();
  }

  /** Retries a disk operation with backoff until it works, reporting each failure; false when shutdown gave up. */
  private async retrying(what: string, operation: () => Promise<void>): Promise<boolean> {
    let delay = RETRY_FIRST_MS;
    const firstTry = Date.now();
    for (;;) {
      try {
        await operation();
        return true;
      } catch (error) {
        this.reporter.report(new EvidenceError("write_failed", `${what} of the evidence log failed (${(error as Error).message}); retrying, events stay queued`, 0, { cause: error }));
        if (this.abandonWrites) return false;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          // A disk that stays broken must not keep a finished process alive for ever:
          // past the grace shutdown() would give it, retries go on only while something else runs.
          if (Date.now() - firstTry >= SHUTDOWN_WRITE_GRACE_MS) timer.unref();
          // A shutdown that gives up must not wait out a backoff of up to RETRY_MAX_MS.
          this.wakeRetry = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeRetry = undefined;
        delay = Math.min(delay * 2, RETRY_MAX_MS);
        if (this.abandonWrites) return false;
      }
    }
  }

  /**
   * Gives up `chunks` at shutdown, except their first `piecesInLog` pieces:
   * whole lines that a write split across segments already put in the log.
   */
  private loseChunks(chunks: Chunk[], piecesInLog: number): void {
    let lost = 0;
    let inLog = 0;
    let remaining = piecesInLog;
    for (const chunk of chunks) {
      const reached = Math.min(chunk.lines.length, remaining);
      remaining -= reached;
      // An event chunk holds one line per event, a line ending with its piece that ends in "\n"; a checkpoint chunk holds no events.
      let landed = 0;
      for (let i = 0; chunk.events > 0 && i < reached; i++) if ((chunk.lines[i] as Uint8Array).at(-1) === 0x0a) landed++;
      inLog += landed;
      lost += chunk.events - landed;
    }
    if (inLog > 0) {
      this.unsynced = true;
      this.counters.written += inLog;
    }
    this.backlog -= lost + inLog;
    this.durableThrough = Math.max(this.durableThrough, (chunks.at(-1) as Chunk).processedThrough);
    if (lost > 0) this.dropAfterDoor(new EvidenceError("write_failed", `${lost} sealed event(s) could not be written before shutdown and are lost`, lost));
  }

  private async afterCheckpoint(checkpoint: NonNullable<Chunk["checkpoint"]>): Promise<void> {
    try {
      await this.store.put(checkpoint.heads);
      this.chains.persisted(checkpoint.heads, true);
      await this.machinery.writeState(this.instance.path, {
        position: this.log.position(),
        merkle: checkpoint.merkle,
        checkpoint: { sequence: checkpoint.record.sequence, hash: eventHash(checkpoint.record) },
      });
    } catch (error) {
      this.chains.persisted(checkpoint.heads, false);
      this.reporter.report(new EvidenceError("write_failed", `could not save chain heads / state after checkpoint ${checkpoint.record.sequence}: ${(error as Error).message}`, 0, { cause: error }));
    }
    const hook = this.options.onCheckpoint;
    if (hook !== undefined) {
      try {
        const outcome = hook(checkpoint.record);
        if (outcome !== undefined && typeof (outcome as Promise<void>).then === "function") {
          (outcome as Promise<void>).then(undefined, (error: unknown) =>
            this.reporter.report(new EvidenceError("checkpoint_hook_failed", `onCheckpoint rejected: ${(error as Error)?.message ?? String(error)}`, 0, { cause: error })),
          );
        }
      } catch (error) {
        this.reporter.report(new EvidenceError("checkpoint_hook_failed", `onCheckpoint threw: ${(error as Error)?.message ?? String(error)}`, 0, { cause: error }));
      }
    }
  }

  // ---- flush and shutdown ------------------------------------------

  /** Nothing queued, nothing pending, nothing unsynced: everything processed is durable. */
  private markIdleDurable(): void {
    if (!this.sealing && !this.writing && this.queueHead >= this.queue.length && this.signRecords.length === 0 && this.outbox.length === 0 && this.chunks.length === 0 && !this.unsynced) {
      this.durableThrough = this.processed;
    }
  }

  private resolveFlushWaiters(): void {
    if (this.flushWaiters.length === 0) return;
    const durable = this.phase === "failed" ? Infinity : this.durableThrough;
    const still: typeof this.flushWaiters = [];
    for (const waiter of this.flushWaiters) (waiter.target <= durable ? waiter.resolve() : still.push(waiter));
    this.flushWaiters = still;
  }

  /** Waits until everything accepted so far is durable or dropped. */
  private async settle(): Promise<void> {
    await this.started;
    if (this.phase !== "ready") return;
    // Every accepted event is processed exactly once, in queue order: the
    // target is what `processed` reaches when the queue as it is now drains.
    const target = this.processed + (this.queue.length - this.queueHead);
    await new Promise<void>((resolve) => {
      this.flushWaiters.push({ target, resolve });
      this.schedule();
      void this.writeLoop();
      this.markIdleDurable();
      this.resolveFlushWaiters();
    });
  }

  private async close(graceMs: number): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.started;
    if (this.phase === "ready") {
      const grace = setTimeout(() => {
        this.abandonWrites = true;
        this.wakeRetry?.();
      }, graceMs);
      grace.unref();
      try {
        await this.settle();
        if (!this.abandonWrites) {
          this.pushCheckpoint("shutdown");
          await this.settle();
          // settle() resolves on durability; the checkpoint's own bookkeeping runs in the writer.
          while (this.writing) await new Promise((resolve) => setImmediate(resolve));
        }
      } finally {
        clearTimeout(grace);
      }
      if (this.shipper !== undefined) await this.shipper.stop(this.options.ship?.drainTimeoutMs ?? 0);
      await this.signer.close();
      await this.log.close().catch(() => undefined);
      await this.instance.lock.release();
    }
    this.throwDrops();
  }
}
