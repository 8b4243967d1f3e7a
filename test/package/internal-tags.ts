/**
 * The declarations the sources mark `@internal`, found by reading src/: a
 * JSDoc comment holding the tag, then the name declared right after it. A
 * member (indented) belongs to the nearest class declared before it at the
 * top level of the file. Data-driven, so a new tag is checked without
 * editing the test.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

export interface InternalDeclaration {
  /** Source path relative to src/, e.g. `core/client.ts`. */
  file: string;
  name: string;
  /** The class the member belongs to; undefined for a top-level declaration. */
  owner?: string;
}

const TAGGED_COMMENT = /^([ \t]*)\/\*\*(?:(?!\*\/)[\s\S])*?@internal\b[\s\S]*?\*\/\s*/gm;
const MODIFIERS = /^(?:(?:export|declare|default|public|protected|static|readonly|abstract|async|override|get|set|function|const|let|var|class|interface|type|enum)\s+)*/;
const TOP_LEVEL_CLASS = /^(?:export\s+)?(?:abstract\s+)?class\s+([A-Za-z_$][\w$]*)/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

export function internalDeclarations(srcDir: string): InternalDeclaration[] {
  const found: InternalDeclaration[] = [];
  for (const path of sourceFiles(srcDir)) {
    const text = readFileSync(path, "utf8");
    const classes = [...text.matchAll(TOP_LEVEL_CLASS)].map((m) => ({ at: m.index, name: m[1]! }));
    for (const match of text.matchAll(TAGGED_COMMENT)) {
      const after = text.slice(match.index + match[0].length);
      const name = /^[#A-Za-z_$][\w$]*/.exec(after.replace(MODIFIERS, ""))?.[0];
      if (!name) continue;
      const indented = match[1]!.length > 0;
      const owner = indented ? classes.filter((c) => c.at < match.index).at(-1)?.name : undefined;
      found.push({ file: relative(srcDir, path), name, owner });
    }
  }
  return found;
}

/** Whether a declaration file still declares `declaration` (a member of its class, or a top-level name). */
export function declares(dts: string, declaration: InternalDeclaration): boolean {
  const name = declaration.name.replace(/[$]/g, "\\$");
  if (declaration.owner === undefined) {
    return new RegExp(`^(?:export\\s+)?(?:declare\\s+)?(?:function|const|let|var|class|interface|type|enum)\\s+${name}\\b`, "m").test(dts) ||
      new RegExp(`^export\\s*\\{[^}]*\\b${name}\\b[^}]*\\}`, "m").test(dts);
  }
  const start = new RegExp(`^(?:export\\s+)?(?:declare\\s+)?(?:abstract\\s+)?class\\s+${declaration.owner}\\b[^\\n]*\\{\\s*$`, "m").exec(dts);
  if (!start) return false;
  const body = dts.slice(start.index + start[0].length, dts.indexOf("\n}", start.index));
  return new RegExp(`^\\s+(?:(?:public|protected|static|readonly|abstract|get|set|override)\\s+)*${name}[?!]?\\s*[(:<;]`, "m").test(body);
}
