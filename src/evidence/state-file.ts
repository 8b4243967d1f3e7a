/**
 * `state.json` of an instance, written (atomically) after each durable
 * checkpoint: where replay resumes after a restart, the Merkle tree state and
 * the last checkpoint. Losing it only costs a full replay of the log.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { replacePrivateFile } from "./private-files.js";
import type { LogPosition } from "./segment-log.js";

export const STATE_FILE = "state.json";

export interface InstanceState {
  position: LogPosition;
  merkle: { size: number; roots: string[] };
  checkpoint: { sequence: number; hash: string };
}

export async function readState(instancePath: string): Promise<InstanceState | undefined> {
  try {
    const state = JSON.parse(await readFile(join(instancePath, STATE_FILE), "utf8")) as InstanceState;
    if (typeof state.position?.segment === "number" && typeof state.position.offset === "number" && typeof state.checkpoint?.sequence === "number") {
      return state;
    }
  } catch {
    // absent or unreadable: replay everything
  }
  return undefined;
}

export async function writeState(instancePath: string, state: InstanceState): Promise<void> {
  await replacePrivateFile(join(instancePath, `${STATE_FILE}.tmp`), join(instancePath, STATE_FILE), JSON.stringify(state));
}
