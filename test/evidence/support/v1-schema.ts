/**
 * Every v1 record a test produces goes through here: the spec-v1 event
 * schema, checked by ajv (independent of the package's own validator).
 */
import { readFileSync } from "node:fs";
import * as Ajv2020Module from "ajv/dist/2020.js";
import * as addFormatsModule from "ajv-formats";
import { expect } from "vitest";

function unwrapDefault<T>(mod: unknown): T {
  let current: unknown = mod;
  for (let i = 0; i < 3 && typeof current !== "function"; i++) current = (current as { default?: unknown }).default ?? current;
  return current as T;
}
type ValidateFn = ((v: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };
type Ajv = { compile(s: object): ValidateFn };
const ajv = new (unwrapDefault<new (o: object) => Ajv>(Ajv2020Module))({ strict: false, allErrors: true });
unwrapDefault<(a: Ajv) => void>(addFormatsModule)(ajv);
const schema = JSON.parse(readFileSync(new URL("../../../spec-v1/schema/execution_event.v1.schema.json", import.meta.url), "utf8")) as object;
const validate = ajv.compile(schema);

/** Problems of `record` against execution_event.v1.schema.json; empty when valid. */
export function v1Problems(record: unknown): string[] {
  if (validate(record)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || "(root)"} ${e.message ?? "invalid"}`);
}

/** Fails the test unless every record validates against the v1 event schema. */
export function expectValidV1Records(records: readonly unknown[]): void {
  expect(records.length).toBeGreaterThan(0);
  for (const record of records) {
    const problems = v1Problems(record);
    expect(problems, `invalid v1 record:\n${JSON.stringify(record, null, 2)}`).toEqual([]);
  }
}
