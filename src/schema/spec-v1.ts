/**
 * The spec-v1 JSON Schemas, loaded at runtime from the package's own
 * byte-identical copy (`spec-v1/schema/`, shipped in the npm package).
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SchemaSet, type ValidateFunction } from "./validator.js";

/** The schemas of spec-v1, by file name without `.v1.schema.json`. */
export type SpecV1SchemaName =
  | "agent-manifest"
  | "attestation"
  | "bundle-manifest"
  | "certificate"
  | "claim"
  | "execution_event"
  | "finding"
  | "flow"
  | "policy"
  | "run"
  | "webhook-finding";

const MARKER = join("spec-v1", "schema", "execution_event.v1.schema.json");

// node:fs is fetched when schemas are first read, not imported: this module is
// part of `import "intentproof"`, and the ESM facade of node:fs reads every
// export, which loads the file streams (a millisecond of a cold import).
function fs(): typeof import("node:fs") {
  return process.getBuiltinModule("node:fs");
}

/**
 * The `spec-v1/schema` directory of this package: found by walking up from
 * this module, which sits at different depths in `src/`, `dist/` and
 * `dist/chunks/`.
 */
export function specV1SchemaDirectory(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (fs().existsSync(join(dir, MARKER))) return join(dir, "spec-v1", "schema");
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error("intentproof: the spec-v1/schema directory of the package was not found");
}

let cached: { set: SchemaSet; ids: Map<string, string> } | undefined;

function load(): { set: SchemaSet; ids: Map<string, string> } {
  if (cached !== undefined) return cached;
  const directory = specV1SchemaDirectory();
  const set = new SchemaSet();
  const ids = new Map<string, string>();
  const { readdirSync, readFileSync } = fs();
  for (const file of readdirSync(directory)) {
    if (!file.endsWith(".v1.schema.json")) continue;
    const schema = JSON.parse(readFileSync(join(directory, file), "utf8")) as { $id: string };
    set.add(schema);
    ids.set(file.slice(0, -".v1.schema.json".length), schema.$id);
  }
  cached = { set, ids };
  return cached;
}

const validators = new Map<string, ValidateFunction>();

/** The validator of one spec-v1 schema (compiled once, then shared). */
export function specV1Validator(name: SpecV1SchemaName): ValidateFunction {
  let validate = validators.get(name);
  if (validate === undefined) {
    const { set, ids } = load();
    const id = ids.get(name);
    if (id === undefined) throw new TypeError(`intentproof: no spec-v1 schema named "${name}"`);
    validate = set.validator(id);
    validators.set(name, validate);
  }
  return validate;
}
