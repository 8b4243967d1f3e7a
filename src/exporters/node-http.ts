import type * as NodeHttp from "node:http";
import type * as NodeHttps from "node:https";

// `node:http` and `node:https` take ~12 ms to load on a small VM, a third of
// the whole import of this package; most processes never construct an
// HttpExporter, so they are loaded on first use instead of at import.
export function nodeHttp(): typeof NodeHttp {
  return process.getBuiltinModule("node:http");
}

export function nodeHttps(): typeof NodeHttps {
  return process.getBuiltinModule("node:https");
}
