// Builds the library to dist/ and the sample app to sample-app/dist/ with the
// TypeScript compiler of this repo; a clean build every time keeps stale
// files out of the packed tarball.
import { execFileSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");

function compile(project) {
  execFileSync(process.execPath, [tsc, "-p", project], { cwd: root, stdio: "inherit" });
}

rmSync(join(root, "dist"), { recursive: true, force: true });
compile("tsconfig.json");
if (existsSync(join(root, "sample-app", "tsconfig.json"))) {
  rmSync(join(root, "sample-app", "dist"), { recursive: true, force: true });
  compile("sample-app/tsconfig.json");
}
