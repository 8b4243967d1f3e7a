// Reading Linux perf's CPU samples of a bench server, for bench/native-profile.mjs.
import { categoryOf, functionKey } from "./profile-windows.mjs";

/**
 * Samples per symbol in the text of `perf report --stdio --no-children
 * --sort dso,sym -F sample,dso,sym -t '\t'`: one line per symbol, "samples
 * <tab> shared object <tab> [.] symbol" ("[k]" for the kernel), comment
 * lines starting with "#". Keyed by symbolKey.
 */
export function samplesBySymbol(reportText, repoPath = "") {
  const samples = new Map();
  for (const line of reportText.split("\n")) {
    if (line.startsWith("#") || line.trim() === "") continue;
    const [count, dso, symbol] = line.split("\t").map((field) => field.trim());
    const n = Number(count);
    if (!Number.isInteger(n) || dso === undefined || symbol === undefined) continue;
    const key = symbolKey(dso, symbol.replace(/^\[[.k]\] /, ""), repoPath);
    samples.set(key, (samples.get(key) ?? 0) + n);
  }
  return samples;
}

/**
 * JavaScript functions are keyed as the V8 profiles key them ("name
 * file:line", see functionKey), whatever tier ran them; regular expressions
 * by their source; native symbols as "symbol [object]", the object being
 * node, kernel, or the library's name.
 */
export function symbolKey(dso, symbol, repoPath = "") {
  if (dso.startsWith("[JIT]")) {
    // --perf-basic-prof names code "JS:<tier>[']name url:line:column" ("JS:* url:…" when anonymous).
    const js = /^JS:[*+~^]?'?(.*?) ?(\S+):(\d+):\d+$/.exec(symbol);
    if (js !== null) {
      const url = js[2].replace(/^file:\/\//, "");
      return functionKey({ functionName: js[1], url, lineNumber: Number(js[3]) - 1 }, repoPath);
    }
    if (symbol.startsWith("RegExp")) return `${symbol.replace(/^RegExp\S* /, "regexp ")} [JIT]`;
    return "(code without a name) [JIT]";
  }
  const object = dso === "[kernel.kallsyms]" ? "kernel" : objectName(dso);
  return `${symbol || "(unknown)"} [${object}]`;
}

/** A shared object as keys name it: its file without directory, `.so` version or brackets ("libc", "vdso", "node"). */
export function objectName(path) {
  return path.slice(path.lastIndexOf("/") + 1).replace(/^\[|\]$/g, "").replace(/\.so[.\d]*$/, "");
}

const GARBAGE_COLLECTOR = /Heap|Scaveng|MarkCompact|Marking|Sweep|Evacuat|Remembered|SlotSet|GCTracer|Minor|WriteBarrier|RecordWrite/;

/** Which part of the process a symbol belongs to, for the summary table. */
export function nativeCategoryOf(key) {
  const object = /\[([^\]]+)\]$/.exec(key)?.[1];
  if (object === undefined) return categoryOf(key);
  const symbol = key.slice(0, key.length - object.length - 3);
  if (object === "kernel") return "kernel (system calls, network, interrupts)";
  if (object === "JIT") return symbol.startsWith("regexp ") ? "regular expressions (compiled)" : "JavaScript without a name";
  if (object !== "node") return "C library, vDSO (malloc, clocks, …)";
  if (GARBAGE_COLLECTOR.test(symbol)) return "V8: garbage collector, write barriers";
  if (symbol.startsWith("Builtins_")) return "V8 builtins (property access, calls, promises, …)";
  if (symbol.startsWith("v8::")) return "V8 runtime (C++)";
  return "Node's C++, libuv, llhttp";
}
