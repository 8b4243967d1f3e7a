/**
 * The one checker every test runs its ExecutionEvents through: the spec's JSON
 * Schema (Draft 2020-12) plus the semantic rules of spec/README.md that the
 * schema cannot express (timestamp shape, duration arithmetic, trimmed
 * correlation ids, pure-JSON values).
 */
import { readFileSync } from "node:fs";
import * as Ajv2020Module from "ajv/dist/2020.js";
import * as addFormatsModule from "ajv-formats";
import type { ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import { expect } from "vitest";
import type { ExecutionEvent, Exporter } from "../../src/core/types.js";

// ajv and ajv-formats are CommonJS; depending on who loads this file (vitest's
// ESM loader, tsc's view of the typings) the class sits on `.default` or on
// `.default.default`. Unwrap until we reach a function.
function unwrapDefault<T>(mod: unknown): T {
  let current: unknown = mod;
  for (let i = 0; i < 3 && typeof current !== "function"; i++) {
    current = (current as { default?: unknown }).default ?? current;
  }
  if (typeof current !== "function") throw new Error("event-validator: could not load a CommonJS default export");
  return current as T;
}

type AjvInstance = { compile(schema: object): ValidateFunction };
const Ajv2020 = unwrapDefault<new (options: object) => AjvInstance>(Ajv2020Module);
const addFormats = unwrapDefault<(ajv: AjvInstance) => void>(addFormatsModule);

const schemaUrl = new URL("../../spec/schema/execution_event.v1.schema.json", import.meta.url);
const schema = JSON.parse(readFileSync(schemaUrl, "utf8")) as object;

// strict off: the spec schema uses annotation keywords ($comment, description)
// and if/then forms Ajv's strict mode would reject; allErrors so a test sees
// every problem at once.
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const validateSchema = ajv.compile(schema);

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** True when `s` is a UUID version 4 (RFC 9562 variant), any letter case. */
export function isUuidV4(s: unknown): boolean {
  return typeof s === "string" && UUID_V4.test(s);
}

/** "/error/cause/name" -> "error.cause.name"; the root is "event". */
function fieldName(instancePath: string, child?: string): string {
  const parts = instancePath.split("/").filter((p) => p !== "").map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (child !== undefined) parts.push(child);
  return parts.length === 0 ? "event" : parts.join(".");
}

function describeSchemaError(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "additionalProperties":
      return `${fieldName(error.instancePath, String(params.additionalProperty))} is not allowed by the schema (additionalProperties: false)`;
    case "required":
      return `${fieldName(error.instancePath, String(params.missingProperty))} is required`;
    case "propertyNames":
      return `${fieldName(error.instancePath)} has a key ${JSON.stringify(params.propertyName)} that does not match the allowed pattern`;
    default:
      return `${fieldName(error.instancePath)} ${error.message ?? "is invalid"} (schema ${error.schemaPath})`;
  }
}

function schemaProblems(event: unknown): string[] {
  if (validateSchema(event)) return [];
  return (validateSchema.errors ?? [])
    // An "if" error only says "the then-branch failed"; the branch's own error says which field.
    .filter((e) => e.keyword !== "if")
    .map((e) => (e.keyword === "not" && e.instancePath === "" ? `error must be absent when status is "ok"` : describeSchemaError(e)));
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const CIRCULAR = "circular reference is not JSON";

/** Every place where `value` would not survive JSON.parse(JSON.stringify(value)) unchanged. */
function jsonPurityProblems(value: unknown, path: string, onPath: Set<object>, out: string[]): void {
  switch (typeof value) {
    case "string":
    case "boolean":
      return;
    case "number":
      if (!Number.isFinite(value)) out.push(`${path}: ${String(value)} is not a JSON number`);
      return;
    case "undefined":
      out.push(`${path}: undefined is not a JSON value`);
      return;
    case "bigint":
    case "symbol":
    case "function":
      out.push(`${path}: a ${typeof value} is not a JSON value`);
      return;
  }
  if (value === null) return;
  const obj = value as object;
  if (onPath.has(obj)) {
    out.push(`${path}: ${CIRCULAR}`);
    return;
  }
  onPath.add(obj);
  if (Array.isArray(obj)) {
    for (let i = 0; i < obj.length; i++) {
      if (!(i in obj)) out.push(`${path}[${i}]: array hole is not JSON`);
      else jsonPurityProblems(obj[i], `${path}[${i}]`, onPath, out);
    }
  } else {
    if (!isPlainObject(obj)) {
      out.push(`${path}: instance of ${obj.constructor?.name ?? "an unknown class"} is not a plain JSON object`);
    }
    if (Object.getOwnPropertySymbols(obj).length > 0) out.push(`${path}: symbol keys are not JSON`);
    for (const key of Object.keys(obj)) {
      jsonPurityProblems((obj as Record<string, unknown>)[key], `${path}.${key}`, onPath, out);
    }
  }
  onPath.delete(obj);
}

function parseTimestamp(event: Record<string, unknown>, field: "startedAt" | "completedAt", out: string[]): number | undefined {
  const value = event[field];
  if (typeof value !== "string") return undefined; // the schema already reports it
  if (!TIMESTAMP.test(value)) {
    out.push(`${field} ${JSON.stringify(value)} is not RFC 3339 UTC with milliseconds and Z (YYYY-MM-DDTHH:mm:ss.sssZ)`);
    return undefined;
  }
  const ms = Date.parse(value);
  // The round trip catches calendar nonsense such as February 30th, which Date.parse rolls over.
  if (Number.isNaN(ms) || new Date(ms).toISOString() !== value) {
    out.push(`${field} ${JSON.stringify(value)} is not a real instant`);
    return undefined;
  }
  return ms;
}

function semanticProblems(event: Record<string, unknown>): string[] {
  const out: string[] = [];

  const started = parseTimestamp(event, "startedAt", out);
  const completed = parseTimestamp(event, "completedAt", out);
  if (started !== undefined && completed !== undefined) {
    if (started > completed) {
      out.push(`startedAt ${String(event.startedAt)} is after completedAt ${String(event.completedAt)}`);
    } else if (typeof event.durationMs === "number" && Math.abs(event.durationMs - (completed - started)) > 1) {
      out.push(`durationMs ${event.durationMs} does not match completedAt - startedAt = ${completed - started}`);
    }
  }
  if (typeof event.durationMs === "number" && !Number.isFinite(event.durationMs)) {
    out.push(`durationMs ${event.durationMs} is not a finite number`);
  }

  if ("correlationId" in event) {
    const id = event.correlationId;
    if (typeof id !== "string") out.push(`correlationId must be a string, got ${typeof id}`);
    else if (id.trim() === "") out.push(`correlationId must be non-empty after trimming, got ${JSON.stringify(id)}`);
    else if (id.trim() !== id) out.push(`correlationId ${JSON.stringify(id)} is not trimmed`);
  }

  if (Array.isArray(event.inputs)) out.push("inputs must be a JSON object, got an array");

  if (event.status === "ok" && !("output" in event)) out.push(`output is required when status is "ok" (null when not captured)`);
  if (event.status === "error" && !("error" in event)) out.push(`error is required when status is "error"`);

  const attributes = event.attributes;
  if (attributes !== null && typeof attributes === "object" && !Array.isArray(attributes)) {
    for (const [key, value] of Object.entries(attributes)) {
      if (value !== null && typeof value === "object") out.push(`attributes.${key} must be a flat string, number, boolean or null, got ${Array.isArray(value) ? "an array" : "an object"}`);
    }
  }

  return out;
}

/**
 * Every problem with `event` as an IntentProof ExecutionEvent v1: schema errors
 * and the spec's semantic rules. Empty when valid. Never throws. `id` only has
 * to be a non-empty string here (the goldens use ids like "evt_ok_1").
 */
export function validateEvent(event: unknown): string[] {
  try {
    if (event === null || typeof event !== "object" || Array.isArray(event)) {
      return [`event must be a JSON object, got ${event === null ? "null" : Array.isArray(event) ? "an array" : typeof event}`];
    }
    const purity: string[] = [];
    jsonPurityProblems(event, "event", new Set(), purity);
    // Ajv walks the value recursively and would overflow the stack on a cycle.
    const cyclic = purity.some((p) => p.endsWith(CIRCULAR));
    const problems = [...(cyclic ? [] : schemaProblems(event)), ...semanticProblems(event as Record<string, unknown>), ...purity];
    return [...new Set(problems)];
  } catch (error) {
    return [`event could not be validated: ${error instanceof Error ? error.message : String(error)}`];
  }
}

/** `validateEvent` plus what our library promises beyond the spec: `id` is a UUID v4. */
export function validateEmittedEvent(event: unknown): string[] {
  const problems = validateEvent(event);
  if (event !== null && typeof event === "object" && "id" in event && !isUuidV4(event.id)) {
    problems.push(`id ${JSON.stringify(event.id)} is not a UUID v4`);
  }
  return problems;
}

/** Fails the current test, listing every problem, unless `event` is a valid emitted event. */
export function expectValidEvent(event: unknown): void {
  const problems = validateEmittedEvent(event);
  expect(problems, `invalid ExecutionEvent:\n  ${problems.join("\n  ")}\n${safeJson(event)}`).toEqual([]);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

// Filled by every CheckedExporter, drained by the global afterEach in setup.ts.
const violations: string[] = [];

/** Returns the violations CheckedExporters recorded since the last call, and forgets them. */
export function takeViolations(): string[] {
  return violations.splice(0, violations.length);
}

/** Throws (failing the test) when any CheckedExporter saw an invalid event since the last check. */
export function assertNoViolations(): void {
  const found = takeViolations();
  if (found.length > 0) {
    throw new Error(`CheckedExporter received ${found.length} invalid ExecutionEvent problem(s):\n  ${found.join("\n  ")}`);
  }
}

function describeEventOf(event: unknown): string {
  const record = (event ?? {}) as { action?: unknown; id?: unknown };
  return `${String(record.action)} (id ${String(record.id)})`;
}

/**
 * A MemoryExporter-like exporter for tests: keeps every event it receives
 * (oldest first) and records a violation for each invalid one, so the global
 * afterEach fails the test without each test having to remember to check.
 */
export class CheckedExporter implements Exporter {
  private events: ExecutionEvent[] = [];

  export(event: ExecutionEvent): void {
    for (const problem of validateEmittedEvent(event)) {
      violations.push(`${describeEventOf(event)}: ${problem}`);
    }
    this.events.push(event);
  }

  flush(): void {}

  getEvents(): ExecutionEvent[] {
    return [...this.events];
  }

  clear(): void {
    this.events = [];
  }
}
