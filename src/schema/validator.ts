/**
 * A small JSON Schema validator for the Draft 2020-12 subset the spec-v1
 * schemas use: type, const, enum, properties, required,
 * additionalProperties, patternProperties, propertyNames, items, minItems,
 * maxItems, uniqueItems, minLength, maxLength, pattern, minimum, maximum,
 * exclusiveMinimum, exclusiveMaximum, allOf, anyOf, oneOf, not,
 * if/then/else, $ref (to `#/$defs/…` pointers and to other schemas of the
 * set by relative URI), $defs, and `format` (date-time, uri: asserted).
 * Annotations (title, description, default, examples, $comment) are ignored.
 *
 * A keyword outside this subset is rejected when the schema is compiled, so
 * a schema we cannot fully check is never silently half-checked. Schemas are
 * compiled once to closures; validating a record allocates only for errors.
 */
import { FORMATS } from "./formats.js";
import { jsonEqual } from "./json-equal.js";
import { isPlainRecord } from "../core/options/options-reader.js";

/** One failed constraint. Paths are JSON Pointers (`""` is the root). */
export interface SchemaViolation {
  /** Where in the instance, e.g. `/attributes/intentproof.delegation.depth`. */
  instancePath: string;
  /** Where in the schema, e.g. `#/properties/status/enum`. */
  schemaPath: string;
  keyword: string;
  message: string;
}

/** Returns every violation; an empty array when the value is valid. */
export type ValidateFunction = (value: unknown) => SchemaViolation[];

type Check = (value: unknown, path: string, out: SchemaViolation[]) => void;
type SchemaNode = boolean | Record<string, unknown>;

const ANNOTATIONS = new Set(["$schema", "$id", "$comment", "$defs", "definitions", "title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly"]);
const JSON_TYPES = new Set(["null", "boolean", "object", "array", "number", "string", "integer"]);

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    default:
      return typeOf(value) === type;
  }
}


function pointerToken(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** JSON Schema string lengths count Unicode code points, not UTF-16 units. */
function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

function withoutFragment(uri: string): string {
  const hash = uri.indexOf("#");
  return hash === -1 ? uri : uri.slice(0, hash);
}

/**
 * A set of schemas that may `$ref` each other. Add every schema first, then
 * ask for validators by `$id` (or by the id given to `add`).
 */
export class SchemaSet {
  private readonly documents = new Map<string, SchemaNode>();
  private readonly compiled = new Map<object, Check>();

  /** Adds a schema under its `$id` (or `id` when it has none). */
  add(schema: object, id?: string): this {
    const key = id ?? (isPlainRecord(schema) && typeof schema.$id === "string" ? schema.$id : undefined);
    if (key === undefined) throw new TypeError("SchemaSet.add: a schema needs an $id or an explicit id");
    this.documents.set(withoutFragment(key), schema as SchemaNode);
    return this;
  }

  /** True when a schema with this id was added. */
  has(id: string): boolean {
    return this.documents.has(withoutFragment(id));
  }

  /**
   * The validator of the schema added under `id` (an id with a `#/…`
   * fragment selects a sub-schema).
   * @throws TypeError when the id is unknown or the schema uses a keyword outside the subset.
   */
  validator(id: string): ValidateFunction {
    const check = this.resolveRef(id, id, "#");
    return (value) => {
      const out: SchemaViolation[] = [];
      check(value, "", out);
      return out;
    };
  }

  private resolveRef(ref: string, baseId: string, at: string): Check {
    let target: string;
    try {
      target = new URL(ref, baseId).href;
    } catch {
      target = ref;
    }
    const documentId = withoutFragment(target);
    const document = this.documents.get(documentId) ?? (ref.startsWith("#") ? this.documents.get(withoutFragment(baseId)) : undefined);
    if (document === undefined) throw new TypeError(`SchemaSet: ${at}: $ref "${ref}" names no schema of the set`);
    const fragment = target.includes("#") ? target.slice(target.indexOf("#") + 1) : "";
    let node: unknown = document;
    let schemaPath = "#";
    for (const raw of fragment.split("/").slice(1)) {
      const token = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
      node = isPlainRecord(node) ? node[token] : undefined;
      schemaPath += "/" + raw;
      if (node === undefined) throw new TypeError(`SchemaSet: ${at}: $ref "${ref}" points at nothing`);
    }
    return this.compile(node as SchemaNode, documentId, schemaPath);
  }

  private compile(schema: SchemaNode, baseId: string, schemaPath: string): Check {
    if (schema === true) return () => {};
    if (schema === false) {
      return (_v, path, out) => void out.push({ instancePath: path, schemaPath, keyword: "false", message: "no value is allowed here" });
    }
    const cached = this.compiled.get(schema);
    if (cached !== undefined) return cached;
    // A placeholder first, so a schema that refers to itself compiles.
    let body: Check | undefined;
    const forward: Check = (value, path, out) => (body as Check)(value, path, out);
    this.compiled.set(schema, forward);
    const ownBase = typeof schema.$id === "string" ? new URL(schema.$id, baseId).href : baseId;
    const checks = Object.keys(schema)
      .filter((keyword) => !ANNOTATIONS.has(keyword) && keyword !== "then" && keyword !== "else")
      .map((keyword) => this.keyword(schema, keyword, ownBase, schemaPath));
    body = (value, path, out) => {
      for (const check of checks) check(value, path, out);
    };
    return forward;
  }

  private sub(schema: unknown, baseId: string, schemaPath: string): Check {
    if (typeof schema !== "boolean" && !isPlainRecord(schema)) throw new TypeError(`SchemaSet: ${schemaPath} is not a schema`);
    return this.compile(schema, baseId, schemaPath);
  }

  private keyword(schema: Record<string, unknown>, keyword: string, baseId: string, parentPath: string): Check {
    const arg = schema[keyword];
    const at = `${parentPath}/${keyword}`;
    const fail = (out: SchemaViolation[], path: string, message: string) =>
      out.push({ instancePath: path, schemaPath: at, keyword, message });
    switch (keyword) {
      case "type": {
        const types = Array.isArray(arg) ? (arg as string[]) : [arg as string];
        for (const t of types) if (!JSON_TYPES.has(t)) throw new TypeError(`SchemaSet: ${at}: unknown type ${JSON.stringify(t)}`);
        const list = types.join(", ");
        return (v, p, out) => {
          for (const t of types) if (hasType(v, t)) return;
          fail(out, p, `must be of type ${list}, got ${typeOf(v)}`);
        };
      }
      case "const":
        return (v, p, out) => {
          if (!jsonEqual(v, arg)) fail(out, p, `must equal ${JSON.stringify(arg)}`);
        };
      case "enum": {
        const allowed = arg as unknown[];
        return (v, p, out) => {
          for (const a of allowed) if (jsonEqual(v, a)) return;
          fail(out, p, `must be one of ${JSON.stringify(allowed)}`);
        };
      }
      case "required": {
        const names = arg as string[];
        return (v, p, out) => {
          if (!isPlainRecord(v)) return;
          for (const name of names) {
            if (!Object.prototype.hasOwnProperty.call(v, name)) fail(out, p, `must have property "${name}"`);
          }
        };
      }
      case "properties": {
        const entries = Object.entries(arg as Record<string, unknown>).map(
          ([name, s]) => [name, this.sub(s, baseId, `${at}/${pointerToken(name)}`)] as const,
        );
        return (v, p, out) => {
          if (!isPlainRecord(v)) return;
          for (const [name, check] of entries) {
            if (Object.prototype.hasOwnProperty.call(v, name)) check(v[name], `${p}/${pointerToken(name)}`, out);
          }
        };
      }
      case "patternProperties": {
        const entries = Object.entries(arg as Record<string, unknown>).map(
          ([pattern, s]) => [new RegExp(pattern, "u"), this.sub(s, baseId, `${at}/${pointerToken(pattern)}`)] as const,
        );
        return (v, p, out) => {
          if (!isPlainRecord(v)) return;
          for (const key of Object.keys(v)) {
            for (const [regex, check] of entries) if (regex.test(key)) check(v[key], `${p}/${pointerToken(key)}`, out);
          }
        };
      }
      case "additionalProperties": {
        const declared = new Set(Object.keys(isPlainRecord(schema.properties) ? schema.properties : {}));
        const patterns = Object.keys(isPlainRecord(schema.patternProperties) ? schema.patternProperties : {}).map((s) => new RegExp(s, "u"));
        const forbidden = arg === false;
        const check = forbidden ? undefined : this.sub(arg, baseId, at);
        return (v, p, out) => {
          if (!isPlainRecord(v)) return;
          for (const key of Object.keys(v)) {
            if (declared.has(key) || patterns.some((r) => r.test(key))) continue;
            if (check === undefined) fail(out, p, `must not have property "${key}"`);
            else check(v[key], `${p}/${pointerToken(key)}`, out);
          }
        };
      }
      case "propertyNames": {
        const check = this.sub(arg, baseId, at);
        return (v, p, out) => {
          if (!isPlainRecord(v)) return;
          for (const key of Object.keys(v)) {
            const inner: SchemaViolation[] = [];
            check(key, p, inner);
            if (inner.length > 0) fail(out, p, `has a property name ${JSON.stringify(key)} that is not allowed`);
          }
        };
      }
      case "items": {
        const check = this.sub(arg, baseId, at);
        return (v, p, out) => {
          if (!Array.isArray(v)) return;
          for (let i = 0; i < v.length; i++) check(v[i], `${p}/${i}`, out);
        };
      }
      case "minItems":
      case "maxItems": {
        const limit = arg as number;
        const min = keyword === "minItems";
        return (v, p, out) => {
          if (!Array.isArray(v)) return;
          if (min ? v.length < limit : v.length > limit) fail(out, p, `must have ${min ? "at least" : "at most"} ${limit} items`);
        };
      }
      case "uniqueItems":
        return (v, p, out) => {
          if (arg !== true || !Array.isArray(v)) return;
          for (let i = 0; i < v.length; i++) {
            for (let j = i + 1; j < v.length; j++) {
              if (jsonEqual(v[i], v[j])) return void fail(out, p, `must not have duplicate items (${i} and ${j} are equal)`);
            }
          }
        };
      case "minLength":
      case "maxLength": {
        const limit = arg as number;
        const min = keyword === "minLength";
        return (v, p, out) => {
          if (typeof v !== "string") return;
          const n = codePointLength(v);
          if (min ? n < limit : n > limit) fail(out, p, `must be ${min ? "at least" : "at most"} ${limit} characters long`);
        };
      }
      case "pattern": {
        const regex = new RegExp(arg as string, "u");
        return (v, p, out) => {
          if (typeof v === "string" && !regex.test(v)) fail(out, p, `must match the pattern ${JSON.stringify(arg)}`);
        };
      }
      case "format": {
        const test = FORMATS[arg as string];
        if (test === undefined) throw new TypeError(`SchemaSet: ${at}: unsupported format ${JSON.stringify(arg)}`);
        return (v, p, out) => {
          if (typeof v === "string" && !test(v)) fail(out, p, `must be a valid ${arg as string}`);
        };
      }
      case "minimum":
      case "maximum":
      case "exclusiveMinimum":
      case "exclusiveMaximum": {
        const limit = arg as number;
        const ok =
          keyword === "minimum" ? (n: number) => n >= limit
          : keyword === "maximum" ? (n: number) => n <= limit
          : keyword === "exclusiveMinimum" ? (n: number) => n > limit
          : (n: number) => n < limit;
        const word = { minimum: ">=", maximum: "<=", exclusiveMinimum: ">", exclusiveMaximum: "<" }[keyword];
        return (v, p, out) => {
          if (typeof v === "number" && !ok(v)) fail(out, p, `must be ${word} ${limit}`);
        };
      }
      case "allOf": {
        const checks = (arg as unknown[]).map((s, i) => this.sub(s, baseId, `${at}/${i}`));
        return (v, p, out) => {
          for (const check of checks) check(v, p, out);
        };
      }
      case "anyOf":
      case "oneOf": {
        const checks = (arg as unknown[]).map((s, i) => this.sub(s, baseId, `${at}/${i}`));
        const one = keyword === "oneOf";
        return (v, p, out) => {
          let passed = 0;
          const collected: SchemaViolation[] = [];
          for (const check of checks) {
            const inner: SchemaViolation[] = [];
            check(v, p, inner);
            if (inner.length === 0) {
              passed++;
              if (!one) return;
            } else {
              collected.push(...inner);
            }
          }
          if (passed === 0) {
            fail(out, p, `must match ${one ? "exactly one" : "at least one"} of the ${checks.length} alternatives`);
            out.push(...collected);
          } else if (one && passed > 1) {
            fail(out, p, `must match exactly one alternative, matched ${passed}`);
          }
        };
      }
      case "not": {
        const check = this.sub(arg, baseId, at);
        return (v, p, out) => {
          const inner: SchemaViolation[] = [];
          check(v, p, inner);
          if (inner.length === 0) fail(out, p, "must not match the schema under \"not\"");
        };
      }
      case "if": {
        const condition = this.sub(arg, baseId, at);
        const then = schema.then === undefined ? undefined : this.sub(schema.then, baseId, `${parentPath}/then`);
        const otherwise = schema.else === undefined ? undefined : this.sub(schema.else, baseId, `${parentPath}/else`);
        return (v, p, out) => {
          const inner: SchemaViolation[] = [];
          condition(v, p, inner);
          const branch = inner.length === 0 ? then : otherwise;
          if (branch !== undefined) branch(v, p, out);
        };
      }
      case "$ref":
        // Every schema of the set is added before the first validator is
        // asked for, and compile() caches a forwarder first, so a cycle of
        // $refs resolves here without recursing forever.
        return this.resolveRef(arg as string, baseId, at);
      default:
        throw new TypeError(`SchemaSet: ${at}: keyword "${keyword}" is outside the supported subset`);
    }
  }
}

/** One line per violation: `<instance path or "(root)"> <message>`. */
export function describeViolations(violations: readonly SchemaViolation[]): string[] {
  return violations.map((v) => `${v.instancePath === "" ? "(root)" : v.instancePath} ${v.message}`);
}
