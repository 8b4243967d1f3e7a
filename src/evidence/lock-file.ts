/**
 * One writer per instance directory: a lock file created with O_EXCL holding
 * the owner's pid and host. A lock left by a process that no longer runs on
 * this host (kill -9, crash) is taken over; a live one is respected.
 */
import { open, readFile, unlink } from "node:fs/promises";
import { hostname } from "node:os";

export const LOCK_FILE = "writer.lock";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function holder(path: string): Promise<{ pid: number; host: string } | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, "utf8")) as { pid?: unknown; host?: unknown };
    if (typeof parsed.pid === "number" && typeof parsed.host === "string") return { pid: parsed.pid, host: parsed.host };
  } catch {
    // unreadable or half-written: treated as stale below
  }
  return undefined;
}

/** Held lock; `release()` removes the file. */
export interface HeldLock {
  release(): Promise<void>;
}

/**
 * Takes the lock at `path`, or returns a description of its live holder.
 * `staleTakeover` is set when a dead writer's lock was replaced.
 */
export async function acquireLock(path: string): Promise<{ lock: HeldLock; staleTakeover: boolean } | { heldBy: string }> {
  let staleTakeover = false;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, "wx", 0o644);
      try {
        await handle.writeFile(JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
      } finally {
        await handle.close();
      }
      return {
        staleTakeover,
        lock: {
          release: async () => {
            await unlink(path).catch(() => undefined);
          },
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = await holder(path);
      if (owner !== undefined && (owner.host !== hostname() || alive(owner.pid))) {
        return { heldBy: `pid ${owner.pid} on ${owner.host}` };
      }
      await unlink(path).catch(() => undefined);
      staleTakeover = true;
    }
  }
  return { heldBy: "another writer (the lock kept reappearing)" };
}
