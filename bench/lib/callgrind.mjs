// Reading a callgrind dump (valgrind --tool=callgrind --compress-strings=no
// --compress-pos=no), for bench/instructions.mjs.
import { objectName } from "./perf-report.mjs";

/**
 * Instructions executed per function (self, not what its calls executed) in
 * the text of a callgrind dump. `ob=`, `fl=` and `fn=` lines name the code
 * the cost lines below them belong to (`fi=`/`fe=` switch the file of
 * inlined code, within the same function); a `calls=` line says that the
 * line after it is the cost of a call, which belongs to the callee and is
 * skipped. `summary:` is the dump's total. Functions are keyed by
 * instructionKey; overloads (same name, other parameters) are summed.
 */
export function instructionsByFunction(text) {
  const byKey = new Map();
  let object = "???";
  let key;
  let total;
  let skipNext = false;
  for (const line of text.split("\n")) {
    if (skipNext) {
      skipNext = false;
    } else if (line.startsWith("ob=")) {
      object = line.slice(3);
    } else if (line.startsWith("fn=")) {
      key = instructionKey(object, line.slice(3));
    } else if (line.startsWith("calls=")) {
      skipNext = true;
    } else if (line.startsWith("summary:")) {
      total = Number(line.slice(8));
    } else if (key !== undefined && /^[\d+-]/.test(line)) {
      const count = Number(line.slice(line.indexOf(" ") + 1));
      if (Number.isFinite(count)) byKey.set(key, (byKey.get(key) ?? 0) + count);
    }
  }
  if (total === undefined) throw new Error("not a callgrind dump: no summary line");
  return { total, byKey };
}

/**
 * "symbol [object]", as bench/lib/perf-report.mjs keys native code, the
 * object named by objectName ("node", "libc", "libstdc++", "vdso"). Code
 * outside any object is V8's compiled JavaScript and regular expressions,
 * which callgrind names by address: one row, "[JIT]".
 */
export function instructionKey(object, fn) {
  if (object === "???" || object === "") return "(compiled JavaScript, regular expressions) [JIT]";
  return `${withoutReturnType(withoutParameters(fn))} [${objectName(object)}]`;
}

/** A demangled C++ name without its parameter list (and a `const` after it); other names as they are. */
function withoutParameters(name) {
  const end = name.endsWith(") const") ? name.length - 7 : name.length - 1;
  if (name[end] !== ")") return name;
  let depth = 0;
  for (let i = end; i > 0; i--) {
    if (name[i] === ")") depth++;
    else if (name[i] === "(" && --depth === 0) return name.slice(0, i);
  }
  return name;
}

/** A demangled C++ name without the return type a template function's name starts with. */
function withoutReturnType(name) {
  let depth = 0;
  let start = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === "<" || c === "(") depth++;
    else if (c === ">" || c === ")") depth--;
    else if (c === " " && depth === 0) start = i + 1;
  }
  return name.slice(start);
}
