/**
 * The README is the reference users copy from: its TypeScript blocks must
 * compile against the built package, its two commands must be the ones
 * package.json defines, and every public export must be documented.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./support/sample-app-process.js";

const README = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
const PACKAGE = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
  name: string;
  scripts: Record<string, string>;
};
// Inside the repository, so "intentproof" resolves to this package's own
// exports (dist/, built by pretest) exactly as in a user's project.
const BLOCKS_DIR = join(REPO_ROOT, ".tmp", "readme-blocks");

interface CodeBlock {
  line: number;
  code: string;
}

function typeScriptBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const fence = /^```(?:ts|typescript)[^\n]*\n([\s\S]*?)^```/gm;
  for (const match of markdown.matchAll(fence)) {
    blocks.push({ line: markdown.slice(0, match.index).split("\n").length + 1, code: match[1]! });
  }
  return blocks;
}

describe("README", () => {
  it("names the two commands for a fresh clone, and package.json defines both", () => {
    expect(README).toContain("npm ci && npm start");
    expect(README).toContain("npm ci && npm test");
    const { scripts } = PACKAGE;
    // npm start builds first (prestart), then runs the sample app that the build produced.
    expect(scripts.prestart).toBe("npm run build");
    expect(scripts.start).toMatch(/^node sample-app\/dist\/.+\.js$/);
    expect(scripts.pretest).toBe("npm run build");
    expect(scripts.test).toBe("vitest run");
    expect(PACKAGE.name).toBe("intentproof");
  });

  it("every TypeScript block compiles (strict, nodenext) against the built package", () => {
    const blocks = typeScriptBlocks(README);
    expect(blocks.length).toBeGreaterThanOrEqual(10);
    rmSync(BLOCKS_DIR, { recursive: true, force: true });
    mkdirSync(BLOCKS_DIR, { recursive: true });
    for (const block of blocks) {
      writeFileSync(join(BLOCKS_DIR, `readme-line-${block.line}.ts`), block.code);
    }
    writeFileSync(
      join(BLOCKS_DIR, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          lib: ["ES2023"],
          module: "nodenext",
          moduleResolution: "nodenext",
          // Each block is its own module, as if it were a file of its own.
          moduleDetection: "force",
          types: ["node"],
          strict: true,
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          esModuleInterop: true,
          skipLibCheck: true,
          noEmit: true,
        },
        include: ["*.ts"],
      }),
    );
    let output = "";
    try {
      execFileSync(process.execPath, [join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", BLOCKS_DIR], {
        cwd: REPO_ROOT,
        encoding: "utf8",
        stdio: "pipe",
      });
    } catch (error) {
      const failed = error as { stdout?: string; stderr?: string };
      output = `${failed.stdout ?? ""}${failed.stderr ?? ""}`;
    }
    // File names carry the README line each block starts on.
    expect(output, "README code blocks do not compile").toBe("");
  });

  it("documents every export of the three entry points", async () => {
    const entries = ["../../src/index.js", "../../src/express.js", "../../src/nestjs.js"];
    for (const entry of entries) {
      const names = Object.keys((await import(entry)) as object);
      expect(names.length).toBeGreaterThan(0);
      // In code spans: `name`, `name(…)`, `@name(…)`, `new name(…)`.
      const missing = names.filter((name) => !new RegExp(`\`(?:@|new )?${name}(?![\\w$])`).test(README));
      expect(missing, `exports of ${entry} missing from the README`).toEqual([]);
    }
  });

  it("keeps the placeholders the benchmark and reliability figures are written into", () => {
    expect(README).toMatch(/<!-- BENCH:START -->[\s\S]*<!-- BENCH:END -->/);
    expect(README).toMatch(/<!-- RELIABILITY:START -->[\s\S]*<!-- RELIABILITY:END -->/);
  });
});
