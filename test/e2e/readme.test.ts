/**
 * The README and docs/ are the reference users copy from: their TypeScript
 * blocks must compile against the built package, the README's commands must
 * be the ones package.json defines, every public export must be documented,
 * and every relative link must lead to a file.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./support/sample-app-process.js";

const README = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
const PACKAGE = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
  name: string;
  version: string;
  scripts: Record<string, string>;
};
// docs/API.md is the project's copy of the API contract: its blocks are
// signatures with elisions (`/* … */`), not programs, so they are not compiled.
const UNCOMPILED_DOCS = new Set(["API.md"]);
// Pages other work adds; the README links them ahead of time.
const PENDING_DOCS = new Set(["docs/evidence.md", "docs/completeness.md"]);
const DOCS = Object.fromEntries(
  readdirSync(join(REPO_ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => [`docs/${name}`, readFileSync(join(REPO_ROOT, "docs", name), "utf8")]),
);
const PAGES: Record<string, string> = { "README.md": README, ...DOCS };
// Inside the repository, so "intentproof" resolves to this package's own
// exports (dist/, built by pretest) exactly as in a user's project.
const BLOCKS_DIR = join(REPO_ROOT, ".tmp", "readme-blocks");

interface CodeBlock {
  line: number;
  /** From the fence's `file=NAME`: blocks of one page that import each other. */
  file?: string;
  code: string;
}

function typeScriptBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const fence = /^```(?:ts|typescript)([^\n]*)\n([\s\S]*?)^```/gm;
  for (const match of markdown.matchAll(fence)) {
    const file = /\bfile=(\S+)/.exec(match[1]!)?.[1];
    blocks.push({ line: markdown.slice(0, match.index).split("\n").length + 1, file, code: match[2]! });
  }
  return blocks;
}

const withoutCode = (markdown: string): string => markdown.replace(/^```[\s\S]*?^```/gm, "");

/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces to hyphens. */
function headingSlugs(markdown: string): Set<string> {
  const slugs = new Set<string>();
  for (const [, text] of withoutCode(markdown).matchAll(/^#{1,6} (.+)$/gm)) {
    slugs.add(text!.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-"));
  }
  return slugs;
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

  it("says how to install from a clone, and packing builds first", () => {
    expect(README).toContain("npm ci && npm pack");
    expect(README).toContain(`npm install ../intentproof/intentproof-${PACKAGE.version}.tgz`);
    expect(PACKAGE.scripts.prepack).toBe("npm run build");
  });

  it("every TypeScript block of the README and docs/ compiles (strict, nodenext) against the built package", () => {
    rmSync(BLOCKS_DIR, { recursive: true, force: true });
    let count = 0;
    for (const [page, markdown] of Object.entries(PAGES)) {
      if (UNCOMPILED_DOCS.has(page.replace(/^docs\//, ""))) continue;
      const dir = join(BLOCKS_DIR, page.replace(/\W/g, "-"));
      mkdirSync(dir, { recursive: true });
      for (const block of typeScriptBlocks(markdown)) {
        // File names carry the page line each block starts on, unless the block names its file.
        writeFileSync(join(dir, block.file ?? `line-${block.line}.ts`), block.code);
        count++;
      }
    }
    expect(count).toBeGreaterThanOrEqual(10);
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
        include: ["**/*.ts"],
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
    expect(output, "code blocks do not compile").toBe("");
  });

  it("documents every export of the three entry points (README or docs/, the API contract aside)", async () => {
    // API.md is the contract every export comes from: documenting means the user docs.
    const documented = Object.entries(PAGES)
      .filter(([page]) => page !== "docs/API.md")
      .map(([, markdown]) => markdown)
      .join("\n");
    const entries = ["../../src/index.js", "../../src/express.js", "../../src/nestjs.js"];
    for (const entry of entries) {
      const names = Object.keys((await import(entry)) as object);
      expect(names.length).toBeGreaterThan(0);
      // In code spans: `name`, `name(…)`, `@name(…)`, `new name(…)`.
      const missing = names.filter((name) => !new RegExp(`\`(?:@|new )?${name}(?![\\w$])`).test(documented));
      expect(missing, `exports of ${entry} missing from the reference`).toEqual([]);
    }
  });

  it("every relative link of the README and docs/ leads to a file, and to a heading of it when it names one", () => {
    const broken: string[] = [];
    for (const [page, markdown] of Object.entries(PAGES)) {
      for (const [, target, anchor] of withoutCode(markdown).matchAll(/\]\(([^)\s#]*)(?:#([^)\s]*))?\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const path = target ? join(dirname(page), target) : page;
        if (PENDING_DOCS.has(path)) continue;
        if (!existsSync(join(REPO_ROOT, path))) broken.push(`${page} → ${target}`);
        else if (anchor && path.endsWith(".md") && !headingSlugs(readFileSync(join(REPO_ROOT, path), "utf8")).has(anchor)) {
          broken.push(`${page} → ${target}#${anchor}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it("keeps the placeholders the benchmark and reliability figures are written into", () => {
    expect(DOCS["docs/benchmarks.md"]).toMatch(/<!-- BENCH:START -->[\s\S]*<!-- BENCH:END -->/);
    expect(DOCS["docs/reliability.md"]).toMatch(/<!-- RELIABILITY:START -->[\s\S]*<!-- RELIABILITY:END -->/);
  });
});
