/**
 * File paths named by errors, kept out of records. An fs
 * error's message quotes its `path` (and `dest` for two-path calls such as
 * `rename`): `ENOENT: no such file or directory, stat '/srv/app/private/…'`,
 * and frameworks pass such errors on (`res.sendFile` hands one to `next`).
 * The client usually sees a generic 404; the record must not see more.
 * Express's `res.render` of a missing view quotes the views directory, and
 * template engines name the template's file.
 *
 * The placeholder hides the base name too: a file's name is data (an order
 * number, an uploaded file's name, the session id of a file session store),
 * and the error's `code` and syscall already say what failed.
 */

/** Written in place of each file path an error names. */
export const PATH_PLACEHOLDER = "[Path]";

/**
 * Adds to `into` the file paths `error` names:
 * - a Node system error (a string `syscall`, as every error from libuv
 *   has): `path`, `dest`, and `address` when it is a Unix socket path
 *   rather than an IP address;
 * - a view that failed to load (Express's `res.render`: `view.root`, the
 *   views directory or directories its message quotes) and a template
 *   engine's error (ejs's `path`, pug's `filename`), when the value is an
 *   absolute file path (a relative one says nothing about the server).
 * Other values add nothing: a validation error's `path` (`"email"`) is a
 * field name, and replacing it would garble the message without hiding
 * anything. Never throws: every read is guarded.
 */
export function collectErrorPaths(error: unknown, into: string[]): void {
  if (error === null || typeof error !== "object") return;
  if (typeof read(error, "syscall") === "string") {
    addPath(read(error, "path"), into);
    addPath(read(error, "dest"), into);
    const address = read(error, "address");
    if (typeof address === "string" && (address.includes("/") || address.includes("\\"))) addPath(address, into);
    return;
  }
  const view = read(error, "view");
  if (view !== null && typeof view === "object") {
    const root = read(view, "root");
    if (Array.isArray(root)) {
      for (let i = 0; i < MAX_VIEW_ROOTS; i++) addAbsolutePath(read(root, String(i)), into);
    } else {
      addAbsolutePath(root, into);
    }
    addAbsolutePath(read(view, "path"), into);
  }
  addAbsolutePath(read(error, "path"), into);
  addAbsolutePath(read(error, "filename"), into);
}

// More than a handful of views directories is not a real configuration.
const MAX_VIEW_ROOTS = 16;

// `/srv/…`, `C:\…`, `C:/…`, `\\server\share…`.
const ABSOLUTE_FILE_PATH = /^(?:\/|[A-Za-z]:[\\/]|\\\\)/;

function addAbsolutePath(value: unknown, into: string[]): void {
  if (typeof value === "string" && ABSOLUTE_FILE_PATH.test(value)) addPath(value, into);
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
