import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The project keeps its own byte-identical copy of the IntentProof spec data
 * (spec/README.md and spec-v1/README.md explain why). Here in the build workspace each copy must equal
 * ../shared/<name>; in a user's clone, where that folder does not exist, it must
 * equal the committed manifest <name>/SHA256SUMS.
 */
const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const MANIFEST = "SHA256SUMS";

/** Every file under `dir`, as sorted "/"-separated relative paths. */
function listFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((relative) => statSync(join(dir, relative)).isFile())
    .map((relative) => relative.split(sep).join("/"))
    .sort();
}

const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

const COPIES = [
  {
    name: "spec",
    required: [
      "README.md",
      "schema/execution_event.v1.schema.json",
      "golden/execution_event_cases.jsonl",
      "golden/wrap_behavior_cases.jsonl",
      "golden/canonicalization_cases.jsonl",
    ],
  },
  {
    name: "spec-v1",
    required: [
      "README.md",
      "LICENSE",
      "schema/execution_event.v1.schema.json",
      "schema/policy.v1.schema.json",
      "golden/sdk-signing/README.md",
      "semantics/reasons.json",
      "docs/v0.1-local-contract.md",
    ],
  },
] as const;

for (const { name, required } of COPIES) {
  const specCopy = join(repoRoot, name);
  const sharedSpec = join(repoRoot, "..", "shared", name);

  /** Parses sha256sum output: "<64 hex>  ./path" per line. */
  function readManifest(): Map<string, string> {
    const entries = new Map<string, string>();
    const text = readFileSync(join(specCopy, MANIFEST), "utf8");
    for (const line of text.split("\n")) {
      if (line === "") continue;
      const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
      if (!match) throw new Error(`${name}/${MANIFEST}: malformed line ${JSON.stringify(line)}`);
      const path = match[2]!.replace(/^\.\//, "");
      expect(entries.has(path), `${name}/${MANIFEST} lists ${path} twice`).toBe(false);
      entries.set(path, match[1]!);
    }
    return entries;
  }

  const copyFiles = (): string[] => listFiles(specCopy).filter((file) => file !== MANIFEST);

  function expectCopyMatchesManifest(): void {
    const manifest = readManifest();
    const files = copyFiles();
    // Same file list both ways: nothing unlisted, nothing listed but missing.
    expect(files).toEqual([...manifest.keys()].sort());
    for (const file of files) {
      expect(sha256(join(specCopy, file)), `${name}/${file} differs from ${name}/${MANIFEST}`).toBe(manifest.get(file));
    }
  }

  describe(`${name}/ copy`, () => {
    it("holds the normative files the tests read", () => {
      const files = copyFiles();
      for (const file of required) expect(files).toContain(file);
    });

    it(`matches the committed manifest ${name}/${MANIFEST}`, () => {
      expectCopyMatchesManifest();
    });

    it(`is byte-identical to ../shared/${name} when that folder exists (else: to the manifest)`, () => {
      if (!existsSync(sharedSpec)) {
        // A user's clone: the manifest is the only reference there is.
        expectCopyMatchesManifest();
        return;
      }
      const ours = copyFiles();
      const theirs = listFiles(sharedSpec);
      expect(ours).toEqual(theirs);
      expect(ours.length).toBeGreaterThan(0);
      for (const file of ours) {
        const same = readFileSync(join(specCopy, file)).equals(readFileSync(join(sharedSpec, file)));
        expect(same, `${name}/${file} differs from ../shared/${name}/${file}`).toBe(true);
      }
    });
  });
}
