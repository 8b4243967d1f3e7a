// Builds the library into dist/ and the sample app into sample-app/dist/.
//
// The library is compiled by this repo's TypeScript (decorators, metadata and
// declarations), then its three entries are bundled together by rolldown:
// each entry becomes one file importing one shared chunk, so a cold import
// reads a few files instead of dozens, and every entry still shares a single
// copy of the core (one AsyncLocalStorage, one IntentProofClient class).
// Declarations are copied unbundled beside them, without the members marked
// `@internal` (stripInternal), and once more as CommonJS declarations under
// dist/cjs/ (`.d.cts`, relative imports rewritten to `.cjs`): the exports map's
// "require" condition points TypeScript there, so a CommonJS file under
// node16/nodenext is not told it "imports an ES module", while the JavaScript
// both describe is the same single ESM file (Node >= 20.19 can require it).
import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { rolldown } from "rolldown";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
const compiled = join(root, ".tmp", "build", "lib");
const dist = join(root, "dist");
const ENTRIES = ["index", "express", "nestjs", "cli"];
// Peers and Node built-ins stay imports: the user's app provides them.
const EXTERNAL = [/^node:/, /^@nestjs\//, /^express(\/|$)/, /^rxjs(\/|$)/, /^reflect-metadata(\/|$)/];

function compile(...args) {
  execFileSync(process.execPath, [tsc, ...args], { cwd: root, stdio: "inherit" });
}

function copyDeclarations(from, to) {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    if (entry.isDirectory()) copyDeclarations(source, to);
    else if (entry.name.endsWith(".d.ts")) cpSync(source, join(to, relative(compiled, source)));
  }
}

// `from "./x.js"`, `import("../y.js")`: relative specifiers only.
const RELATIVE_JS_SPECIFIER = /((?:\bfrom|\bimport)\s*\(?\s*["'])(\.{1,2}\/[^"']*?)\.js(["'])/g;

function writeCommonJsDeclarations(from, to) {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    if (entry.isDirectory()) writeCommonJsDeclarations(source, to);
    else if (entry.name.endsWith(".d.ts")) {
      const target = join(to, relative(compiled, source)).replace(/\.d\.ts$/, ".d.cts");
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, readFileSync(source, "utf8").replace(RELATIVE_JS_SPECIFIER, "$1$2.cjs$3"));
    }
  }
}

rmSync(compiled, { recursive: true, force: true });
rmSync(dist, { recursive: true, force: true });
compile("-p", "tsconfig.json", "--outDir", compiled, "--sourceMap", "false", "--stripInternal");

const bundle = await rolldown({
  input: Object.fromEntries(ENTRIES.map((name) => [name, join(compiled, `${name}.js`)])),
  platform: "node",
  external: EXTERNAL,
});
/**
 * Each file a cold import reads costs about a millisecond (resolve, read,
 * link), so the modules that entries load at import time are grouped into
 * two chunks: the core (what every entry needs) and the evidence and policy
 * layers (what `intentproof` and `intentproof/nestjs` add). Modules reached
 * only through `import()` (the CLI's commands, the file-reading verifiers)
 * keep rolldown's own splitting and load on first use.
 */
function importTimeChunk(entryIds) {
  let loadedAtImport;
  return (moduleId, context) => {
    if (loadedAtImport === undefined) {
      loadedAtImport = new Set();
      const pending = [...entryIds];
      while (pending.length > 0) {
        const id = pending.pop();
        if (loadedAtImport.has(id)) continue;
        loadedAtImport.add(id);
        pending.push(...(context.getModuleInfo(id)?.importedIds ?? []));
      }
    }
    if (!loadedAtImport.has(moduleId)) return null;
    if (/[\\/](evidence|policy|schema)[\\/]/.test(moduleId)) return "evidence-policy";
    // Framework code stays in its entry's file, so `intentproof` never loads a framework.
    return /[\\/](core|exporters)[\\/]/.test(moduleId) ? "core" : null;
  };
}

const libraryEntries = ["index", "express", "nestjs"].map((name) => join(compiled, `${name}.js`));
await bundle.write({
  dir: dist,
  format: "esm",
  entryFileNames: "[name].js",
  chunkFileNames: "chunks/[name]-[hash].js",
  codeSplitting: { groups: [{ name: importTimeChunk(libraryEntries), debugName: "import-time" }] },
  // Doc comments live in the declarations, where editors read them; in the
  // JavaScript they only lengthen what every cold import parses (a fifth of
  // the bundle, about a millisecond of import time on Node 20).
  comments: { jsdoc: false, legal: true, annotation: true },
});
await bundle.close();
copyDeclarations(compiled, dist);
writeCommonJsDeclarations(compiled, join(dist, "cjs"));
chmodSync(join(dist, "cli.js"), 0o755);

if (existsSync(join(root, "sample-app", "tsconfig.json"))) {
  rmSync(join(root, "sample-app", "dist"), { recursive: true, force: true });
  compile("-p", "sample-app/tsconfig.json");
}
