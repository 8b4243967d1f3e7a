// Bytes allocated per function, read from a V8 sampling heap profile (the
// inspector's HeapProfiler), for bench/allocation.mjs.
import { functionKey } from "./profile-windows.mjs";

/**
 * Sampled bytes per function in `profile` (its `head` node, each node with
 * `callFrame`, `selfSize` and `children`), keyed as the CPU profiles are
 * (functionKey). Functions that allocated nothing are left out.
 */
export function bytesByFunction(profile, repoUrl = "") {
  const bytes = new Map();
  const pending = [profile.head];
  while (pending.length > 0) {
    const node = pending.pop();
    if (node.selfSize > 0) {
      const key = functionKey(node.callFrame, repoUrl);
      bytes.set(key, (bytes.get(key) ?? 0) + node.selfSize);
    }
    for (const child of node.children) pending.push(child);
  }
  return bytes;
}
