// bench/instructions.mjs reads callgrind's dumps, and docs/benchmarks.md
// quotes its tables: the reading is checked on a hand-written dump in
// callgrind's format.
import { describe, expect, it } from "vitest";

// Plain JavaScript without declarations: imported by URL, typed here.
const { instructionsByFunction, instructionKey } = (await import(new URL("../../bench/lib/callgrind.mjs", import.meta.url).href)) as {
  instructionsByFunction: (text: string) => { total: number; byKey: Map<string, number> };
  instructionKey: (object: string, fn: string) => string;
};

const DUMP = [
  "# callgrind format",
  "version: 1",
  "creator: callgrind-3.19.0",
  "cmd:  /usr/bin/node bench/apps/express-app.mjs recorded",
  "part: 1",
  "desc: Trigger: dump",
  "positions: line",
  "events: Ir",
  "summary: 6110",
  "",
  "ob=/usr/lib/x86_64-linux-gnu/libc.so.6",
  "fl=./malloc/./malloc/malloc.c",
  "fn=_int_malloc",
  "4012 30",
  "4077 12",
  "",
  "ob=/usr/bin/node",
  "fl=???",
  "fn=Builtins_LoadIC_Megamorphic",
  "0 700",
  // A call: the line after `calls=` is the callee's cost, not the caller's.
  "cob=???",
  "cfn=0x00000000074cf138",
  "calls=99 0",
  "0 54730",
  "0 20",
  "fn=v8::internal::Map::NumberOfFields(v8::internal::ConcurrencyMode) const",
  "0 90",
  "fn=v8::internal::compiler::(anonymous namespace)::SourcePositionWrapper::Reduce(v8::internal::compiler::Node*)",
  "0 40",
  "fn=heap::base::SlotCallbackResult v8::internal::Scavenger::ScavengeObject<v8::internal::FullHeapObjectSlot>(v8::internal::FullHeapObjectSlot, v8::internal::Tagged<v8::internal::HeapObject>)",
  "0 25",
  "fn=heap::base::SlotCallbackResult v8::internal::Scavenger::ScavengeObject<v8::internal::FullHeapObjectSlot>(v8::internal::FullHeapObjectSlot, v8::internal::Tagged<v8::internal::HeapObject>, int)",
  "0 5",
  // Inlined code from another file stays the function's.
  "fl=/home/iojs/build/ws/out/../deps/uv/src/unix/linux.c",
  "fn=uv__hrtime",
  "52 8",
  "fi=/home/iojs/build/ws/out/../deps/uv/src/unix/internal.h",
  "310 2",
  "fe=/home/iojs/build/ws/out/../deps/uv/src/unix/linux.c",
  "",
  "ob=???",
  "fl=???",
  "fn=0x00000000074cf138",
  "0 5000",
  "fn=0x0000000007512a40",
  "0 178",
  "",
].join("\n");

describe("instructionsByFunction", () => {
  it("sums each function's own cost lines, skips the cost of its calls, and keys code by symbol and object", () => {
    const { total, byKey } = instructionsByFunction(DUMP);
    expect(total).toBe(6110);
    expect(Object.fromEntries(byKey)).toEqual({
      "_int_malloc [libc]": 42,
      "Builtins_LoadIC_Megamorphic [node]": 720,
      "v8::internal::Map::NumberOfFields [node]": 90,
      "v8::internal::compiler::(anonymous namespace)::SourcePositionWrapper::Reduce [node]": 40,
      // Two overloads, one row; the return type is dropped.
      "v8::internal::Scavenger::ScavengeObject<v8::internal::FullHeapObjectSlot> [node]": 30,
      "uv__hrtime [node]": 10,
      // Every piece of compiled code, named by its address: one row.
      "(compiled JavaScript, regular expressions) [JIT]": 5178,
    });
    // The self costs add up to the dump's total.
    expect([...byKey.values()].reduce((a, b) => a + b, 0)).toBe(total);
  });

  it("refuses a text without callgrind's summary line", () => {
    expect(() => instructionsByFunction("events: Ir\nfn=main\n1 2\n")).toThrow(/no summary line/);
  });
});

describe("instructionKey", () => {
  it("names the object by its file, without directory or version, and leaves a name without parameters as it is", () => {
    expect(instructionKey("/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30", "std::_Rb_tree_decrement(std::_Rb_tree_node_base const*)")).toBe(
      "std::_Rb_tree_decrement [libstdc++]",
    );
    expect(instructionKey("/usr/bin/node", "(below main)")).toBe("(below main) [node]");
    expect(instructionKey("[vdso]", "clock_gettime")).toBe("clock_gettime [vdso]");
    expect(instructionKey("???", "0x00000000074cf138")).toBe("(compiled JavaScript, regular expressions) [JIT]");
  });
});
