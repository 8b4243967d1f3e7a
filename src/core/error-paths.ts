/**
 * File paths named by Node's system errors, kept out of records. An fs
 * error's message quotes its `path` (and `dest` for two-path calls such as
 * `rename`): `ENOENT: no such file or directory, stat '/srv/app/private/…'`,
 * and frameworks pass such errors on (`res.sendFile` hands one to `next`).
 * The client usually sees a generic 404; the record must not see more.
 *
 * The placeholder hides the base name too: a file's name is data (an order
 * number, an uploaded file's name, the session id of a file session store),
 * and the error's `code` and syscall already say what failed.
 */

/** Written in place of each file path a system error names. */
export const PATH_PLACEHOLDER = "[Path]";

/**
 * Adds to `into` the file paths `error` names when it is a Node system error
 * (a string `syscall`, as every error from libuv has): `path`, `dest`, and
 * `address` when it is a Unix socket path rather than an IP address. Other
 * errors add nothing: a validation error's `path` (`"email"`) is a field
 * name, and replacing it would garble the message without hiding anything.
 * Never throws: every read is guarded.
 */
export function collectErrorPaths(error: unknown, into: string[]): void {
  if (error === null || typeof error !== "object") return;
  if (typeof read(error, "syscall") !== "string") return;
  addPath(read(error, "path"), into);
  addPath(read(error, "dest"), into);
  const address = read(error, "address");
  if (typeof address === "string" && (address.includes("/") || address.includes("\\"))) addPath(address, into);
}

/**
 * `text` with every occurrence of each of `paths` replaced by `"[Path]"`,
 * in one pass (a placeholder is never searched again) that tries longer
 * paths first, so `'/a/b' -> '/a/b.bak'` leaves no `.bak` behind. Run it
 * before capping: a cut could otherwise split a path and leave its prefix.
 */
export function withoutPaths(text: string, paths: readonly string[]): string {
  if (paths.length === 0) return text;
  const alternatives = [...paths].sort((a, b) => b.length - a.length).map(escapeRegExp);
  return text.replace(new RegExp(alternatives.join("|"), "g"), PATH_PLACEHOLDER);
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
}

function addPath(value: unknown, into: string[]): void {
  if (typeof value === "string" && value !== "" && !into.includes(value)) into.push(value);
}

function read(target: object, key: string): unknown {
  try {
    return (target as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}
