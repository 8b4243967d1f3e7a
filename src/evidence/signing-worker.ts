/**
 * Ed25519 signing on a worker thread, so signatures (the dominant cost of
 * sealing, ~45 µs each) use another core instead of the event loop. A chain
 * link is the hash of the record WITHOUT its signature, so chaining and
 * Merkle leaves never wait for signatures; only writing the line does.
 *
 * The worker is created from inline code (no file to locate in dist/), is
 * unref'd (it never keeps a process alive), and signs batches: 32-byte
 * digests in, 64-byte signatures out, in one transferred buffer each way.
 * When no worker can be started, or one dies, signing falls back to the
 * calling thread: slower, never wrong.
 */
import type { KeyObject } from "node:crypto";
import { sign } from "node:crypto";
import type { Worker } from "node:worker_threads";

const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { sign } = require("node:crypto");
const key = workerData.key;
parentPort.on("message", ({ id, digests }) => {
  const input = Buffer.from(digests);
  const count = input.length / 32;
  const out = Buffer.allocUnsafe(count * 64);
  for (let i = 0; i < count; i++) sign(null, input.subarray(i * 32, i * 32 + 32), key).copy(out, i * 64);
  const buffer = out.buffer.slice(out.byteOffset, out.byteOffset + out.length);
  parentPort.postMessage({ id, signatures: buffer }, [buffer]);
});
`;

export class BatchSigner {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, { digests: Buffer[]; resolve: (signatures: string[]) => void }>();

  constructor(private readonly key: KeyObject, useWorker = true) {
    if (useWorker) this.startWorker();
  }

  private startWorker(): void {
    try {
      // Loaded when an EvidenceExporter starts, not when the package is imported.
      const { Worker } = process.getBuiltinModule("node:worker_threads");
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { key: this.key } });
      worker.on("message", (message: { id: number; signatures: ArrayBuffer }) => {
        const job = this.pending.get(message.id);
        if (job === undefined) return;
        this.pending.delete(message.id);
        if (this.pending.size === 0) worker.unref();
        const bytes = Buffer.from(message.signatures);
        const out: string[] = [];
        for (let i = 0; i < job.digests.length; i++) out.push(bytes.toString("base64", i * 64, i * 64 + 64));
        job.resolve(out);
      });
      const fail = () => {
        if (this.worker !== worker) return;
        this.worker = undefined;
        // Whatever the worker held is signed here instead, in order.
        for (const [id, job] of this.pending) {
          this.pending.delete(id);
          job.resolve(this.signHere(job.digests));
        }
      };
      worker.on("error", fail);
      worker.on("exit", fail);
      // Referenced only while it holds work, so an idle signer never keeps the
      // process alive. After the listeners: adding a "message" listener refs
      // the worker's port again, and an exporter that never signed would hold
      // the process open for ever.
      worker.unref();
      this.worker = worker;
    } catch {
      this.worker = undefined;
    }
  }

  private signHere(digests: Buffer[]): string[] {
    return digests.map((digest) => sign(null, digest, this.key).toString("base64"));
  }

  /** Signatures (base64) of the digests, in order. */
  signBatch(digests: Buffer[]): Promise<string[]> {
    const worker = this.worker;
    if (worker === undefined || digests.length === 0) return Promise.resolve(this.signHere(digests));
    return new Promise((resolve) => {
      const id = this.nextId++;
      if (this.pending.size === 0) worker.ref();
      this.pending.set(id, { digests, resolve });
      const joined = Buffer.concat(digests);
      const buffer = joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.length);
      worker.postMessage({ id, digests: buffer }, [buffer]);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker !== undefined) await worker.terminate();
  }
}
