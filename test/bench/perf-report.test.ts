// bench/native-profile.mjs reads `perf report`'s text and sums it by part of
// the process, and docs/benchmarks.md quotes its tables: the reading is
// checked on a hand-written report in perf's format.
import { describe, expect, it } from "vitest";

// Plain JavaScript without declarations: imported by URL, typed here.
const { nativeCategoryOf, samplesBySymbol, symbolKey } = (await import(new URL("../../bench/lib/perf-report.mjs", import.meta.url).href)) as {
  samplesBySymbol: (reportText: string, repoPath?: string) => Map<string, number>;
  symbolKey: (dso: string, symbol: string, repoPath?: string) => string;
  nativeCategoryOf: (key: string) => string;
};

const REPORT = [
  "# Samples: 14K of event 'cpu-clock'",
  "#",
  "#      Samples\tShared Object      \tSymbol",
  " 63         \t[JIT] tid 8281     \t[.] JS:*'buildEvent file:///repo/dist/chunks/core.js:2074:12",
  " 7          \t[JIT] tid 8281     \t[.] JS:+'buildEvent file:///repo/dist/chunks/core.js:2074:12",
  " 31         \t[JIT] tid 8281     \t[.] JS:* /repo/node_modules/body-parser/lib/read.js:134:44",
  " 35         \t[JIT] tid 8281     \t[.] JS:^'Readable.on node:internal/streams/readable:1153:33",
  " 9          \t[JIT] tid 8281     \t[.] JS:~'get performance node:internal/util:600:9",
  " 4          \t[JIT] tid 8281     \t[.] RegExp.> src: '[^\\t\\x20-\\x7e]' flags: ''",
  " 2          \t[JIT] tid 8281     \t[.] 0x00007f0000001234",
  " 120        \tnode               \t[.] Builtins_LoadIC_Megamorphic",
  " 40         \tnode               \t[.] Builtins_RecordWriteSaveFP",
  " 25         \tnode               \t[.] v8::internal::Scavenger::ScavengeObject<v8::internal::FullHeapObjectSlot>",
  " 18         \tnode               \t[.] v8::internal::StringTable::Data::TryStringToIndexOrLookupExisting<unsigned char>",
  " 12         \tnode               \t[.] llhttp__internal__run",
  " 300        \t[kernel.kallsyms]  \t[k] pvm_irq_enable",
  " 16         \tlibc.so.6          \t[.] malloc",
  " 3          \t[vdso]             \t[.] 0x0000000000000b25",
  "",
].join("\n");

describe("samplesBySymbol", () => {
  it("keys JavaScript as the V8 profiles do, whatever tier ran it, and native code by symbol and object", () => {
    expect(Object.fromEntries(samplesBySymbol(REPORT, "/repo/"))).toEqual({
      "buildEvent dist/chunks/core.js:2074": 70,
      "(anonymous) body-parser/lib/read.js:134": 31,
      "Readable.on node:internal/streams/readable:1153": 35,
      "get performance node:internal/util:600": 9,
      "regexp src: '[^\\t\\x20-\\x7e]' flags: '' [JIT]": 4,
      "(code without a name) [JIT]": 2,
      "Builtins_LoadIC_Megamorphic [node]": 120,
      "Builtins_RecordWriteSaveFP [node]": 40,
      "v8::internal::Scavenger::ScavengeObject<v8::internal::FullHeapObjectSlot> [node]": 25,
      "v8::internal::StringTable::Data::TryStringToIndexOrLookupExisting<unsigned char> [node]": 18,
      "llhttp__internal__run [node]": 12,
      "pvm_irq_enable [kernel]": 300,
      "malloc [libc]": 16,
      "0x0000000000000b25 [vdso]": 3,
    });
  });

  it("skips comments, blank and malformed lines", () => {
    expect(samplesBySymbol("# only a header\n\nnot a line\n  x\tnode\t[.] f\n").size).toBe(0);
  });
});

describe("nativeCategoryOf", () => {
  const categoryOf = (dso: string, symbol: string) => nativeCategoryOf(symbolKey(dso, symbol, "/repo/"));

  it("sorts native code into V8's builtins, collector, runtime, Node's C++, libraries and the kernel", () => {
    expect(categoryOf("node", "Builtins_KeyedStoreIC_Megamorphic")).toBe("V8 builtins (property access, calls, promises, …)");
    expect(categoryOf("node", "Builtins_RecordWriteSaveFP")).toBe("V8: garbage collector, write barriers");
    expect(categoryOf("node", "v8::internal::ConcurrentMarking::RunMajor")).toBe("V8: garbage collector, write barriers");
    expect(categoryOf("node", "v8::internal::Runtime_StringSplit")).toBe("V8 runtime (C++)");
    expect(categoryOf("node", "node::http_parser::Parser::OnStreamRead")).toBe("Node's C++, libuv, llhttp");
    expect(categoryOf("libc.so.6", "_int_free")).toBe("C library, vDSO (malloc, clocks, …)");
    expect(categoryOf("[vdso]", "")).toBe("C library, vDSO (malloc, clocks, …)");
    expect(categoryOf("[kernel.kallsyms]", "tcp_ack")).toBe("kernel (system calls, network, interrupts)");
    expect(categoryOf("[JIT] tid 1", "RegExp.> src: 'a' flags: ''")).toBe("regular expressions (compiled)");
  });

  it("gives JavaScript the V8 profiles' parts: the package, Node, dependencies, the bench app", () => {
    expect(categoryOf("[JIT] tid 1", "JS:*'buildEvent file:///repo/dist/chunks/core.js:10:3")).toBe("IntentProof");
    expect(categoryOf("[JIT] tid 1", "JS:*'_storeHeader node:_http_outgoing:456:22")).toBe("Node's JavaScript");
    expect(categoryOf("[JIT] tid 1", "JS:*next /repo/node_modules/router/index.js:189:17")).toBe("dependencies (Express, Nest, body-parser, …)");
    expect(categoryOf("[JIT] tid 1", "JS:*'plainRoute file:///repo/bench/apps/express-app.mjs:35:20")).toBe("the bench app");
  });
});
