/**
 * One writer per instance directory: a lock file created with O_EXCL holding
 * the owner's pid and host. A lock left by a process that no longer runs on
 * this host (kill -9, crash) is taken over; a live one is respected.
 *
 * Taking over is itself guarded by a second O_EXCL file, so processes that
 * start together after a crash cannot both remove the dead lock and each
 * believe they hold the new one. A guard left by a process that died during
 * a takeover is ignored after TAKEOVER_STALE_MS.
 */
import { open, readFile, stat, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { PRIVATE_FILE_MODE } from "./private-files.js";

export const LOCK_FILE = "writer.lock";
const TAKEOVER_STALE_MS = 10_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

function holderOf(text: string | undefined): { pid: number; host: string } | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as { pid?: unknown; host?: unknown };
    if (typeof parsed.pid === "number" && typeof parsed.host === "string") return { pid: parsed.pid, host: parsed.host };
  } catch {
    // half-written or damaged: treated as stale
  }
  return undefined;
}

async function createExclusive(path: string, content: string): Promise<boolean> {
  try {
    const handle = await open(path, "wx", PRIVATE_FILE_MODE);
    try {
      await handle.writeFile(content);
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

/** Held lock; `release()` removes the file. */
export interface HeldLock {
  release(): Promise<void>;
}

/**
 * Takes the lock at `path`, or returns a description of its holder.
 * `staleTakeover` is set when a dead writer's lock was replaced.
 */
export async function acquireLock(path: string): Promise<{ lock: HeldLock; staleTakeover: boolean } | { heldBy: string }> {
  const mine = JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() });
  const lock: HeldLock = {
    release: async () => {
      if ((await readText(path)) === mine) await unlink(path).catch(() => undefined);
    },
  };
  if (await createExclusive(path, mine)) return { lock, staleTakeover: false };

  const seen = await readText(path);
  const owner = holderOf(seen);
  if (owner !== undefined && (owner.host !== hostname() || alive(owner.pid))) return { heldBy: `pid ${owner.pid} on ${owner.host}` };

  // The holder is gone: take over under the guard, and only if the lock is still the dead one we read.
  const guard = `${path}.takeover`;
  if (!(await createExclusive(guard, mine))) {
    const age = await stat(guard).then((s) => Date.now() - s.mtimeMs, () => 0);
    if (age < TAKEOVER_STALE_MS) return { heldBy: "another process taking over a dead writer's lock" };
    await unlink(guard).catch(() => undefined);
    if (!(await createExclusive(guard, mine))) return { heldBy: "another process taking over a dead writer's lock" };
  }
  try {
    if ((await readText(path)) !== seen) return { heldBy: "another process that took over the lock first" };
    await unlink(path).catch(() => undefined);
    if (!(await createExclusive(path, mine))) return { heldBy: "another process that took over the lock first" };
    return { lock, staleTakeover: true };
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}
