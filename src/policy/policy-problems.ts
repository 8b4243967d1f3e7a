/**
 * Checks a document against `intentproof.policy.v1` and reports every problem
 * with the rule and field it concerns, e.g.
 * `rules[1] (id "r2", forbidden): "spec.after" is required when "spec.where_predecessor" is given`.
 * The checks follow spec-v1/schema/policy.v1.schema.json rule by rule; the
 * schema validator of src/schema runs beside it (see validate-policy.ts).
 */
import { isDuration } from "./duration.js";

export interface PolicyProblem {
  /** JSON path of the offending field, e.g. `rules[1].spec.after`. */
  readonly path: string;
  readonly message: string;
}

const TOP_LEVEL = new Set([
  "schema", "policy_id", "policy_version", "tenant_id", "provenance_class", "name", "description",
  "rfc_version", "spec_version", "scope", "instrumentation_requirement", "rules", "claims",
  "policy_fingerprint", "signed_at", "signature",
]);
const REQUIRED_TOP = ["schema", "policy_id", "policy_version", "tenant_id", "provenance_class", "spec_version", "scope", "rules", "policy_fingerprint"];
export const RULE_CATEGORIES = ["required", "forbidden", "ordering", "cardinality", "temporal", "consensus", "value_bound", "claim_match"] as const;
const SEVERITIES = ["critical", "high", "medium", "low", "info"];
const OPERATORS = ["lt", "lte", "gt", "gte", "eq", "ne"];
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

type Doc = Record<string, unknown>;

const isRecord = (v: unknown): v is Doc => v !== null && typeof v === "object" && !Array.isArray(v);
const isScalar = (v: unknown): boolean => v === null || ["string", "number", "boolean"].includes(typeof v);
const isCount = (v: unknown): boolean => typeof v === "number" && Number.isInteger(v) && v >= 0;

class Collector {
  readonly problems: PolicyProblem[] = [];
  constructor(private readonly prefix = "") {}
  add(path: string, message: string): void {
    this.problems.push({ path, message: `${this.prefix}"${path}" ${message}` });
  }
  child(prefix: string): Collector {
    const child = new Collector(prefix);
    child.problems.push = (...items) => this.problems.push(...items);
    return child;
  }
}

function checkString(c: Collector, doc: Doc, key: string, path: string, required: boolean): void {
  const value = doc[key];
  if (value === undefined) {
    if (required) c.add(path, "is required");
  } else if (typeof value !== "string") c.add(path, "must be a string");
}

function checkPredicate(c: Collector, value: unknown, path: string): void {
  if (value === undefined) return;
  if (!isRecord(value)) return c.add(path, "must be an object");
  if (value.status !== undefined && value.status !== "ok" && value.status !== "error") {
    c.add(`${path}.status`, `must be "ok" or "error", got ${JSON.stringify(value.status)}`);
  }
  if (value.attribute !== undefined && (typeof value.attribute !== "string" || value.attribute === "")) {
    c.add(`${path}.attribute`, "must be a non-empty string");
  }
  if (value.equals !== undefined && !isScalar(value.equals)) c.add(`${path}.equals`, "must be a string, number, boolean or null");
  if (value.in !== undefined && (!Array.isArray(value.in) || value.in.length === 0 || !value.in.every(isScalar))) {
    c.add(`${path}.in`, "must be a non-empty array of strings, numbers, booleans or nulls");
  }
  if (value.status === undefined && value.attribute === undefined) c.add(path, 'needs "status" or "attribute"');
}

function checkBounds(c: Collector, spec: Doc, keys: readonly string[]): void {
  for (const key of keys) {
    if (spec[key] !== undefined && !isCount(spec[key])) c.add(`spec.${key}`, "must be an integer ≥ 0");
  }
}

function checkAnchor(c: Collector, value: unknown, path: string): void {
  if (value === undefined) return c.add(path, "is required");
  if (!isRecord(value)) return c.add(path, "must be an object");
  checkString(c, value, "action", `${path}.action`, true);
  if (value.anchor !== undefined && value.anchor !== "started_at" && value.anchor !== "completed_at") {
    c.add(`${path}.anchor`, `must be "started_at" or "completed_at", got ${JSON.stringify(value.anchor)}`);
  }
}

const SPEC_CHECKS: Record<(typeof RULE_CATEGORIES)[number], (c: Collector, spec: Doc) => void> = {
  required(c, spec) {
    checkString(c, spec, "action", "spec.action", true);
    checkBounds(c, spec, ["min", "max"]);
    checkPredicate(c, spec.where, "spec.where");
  },
  forbidden(c, spec) {
    checkString(c, spec, "action", "spec.action", true);
    checkString(c, spec, "after", "spec.after", false);
    checkString(c, spec, "without_predecessor", "spec.without_predecessor", false);
    checkPredicate(c, spec.where, "spec.where");
    checkPredicate(c, spec.where_predecessor, "spec.where_predecessor");
    if (spec.where_predecessor !== undefined && spec.without_predecessor !== undefined) {
      c.add("spec.without_predecessor", 'cannot be combined with "spec.where_predecessor"');
    }
    for (const gate of ["where_predecessor", "without_predecessor"]) {
      if (spec[gate] !== undefined && spec.after === undefined) c.add("spec.after", `is required when "spec.${gate}" is given`);
    }
  },
  ordering(c, spec) {
    checkString(c, spec, "before", "spec.before", true);
    checkString(c, spec, "after", "spec.after", true);
    checkString(c, spec, "match_by_attribute", "spec.match_by_attribute", false);
    if (spec.scope !== undefined && spec.scope !== "first-occurrence" && spec.scope !== "all-occurrences") {
      c.add("spec.scope", `must be "first-occurrence" or "all-occurrences", got ${JSON.stringify(spec.scope)}`);
    }
  },
  cardinality(c, spec) {
    checkString(c, spec, "action", "spec.action", true);
    checkBounds(c, spec, ["exactly", "min", "max"]);
    checkPredicate(c, spec.where, "spec.where");
    if (spec.count_basis !== undefined && spec.count_basis !== "logical" && spec.count_basis !== "raw") {
      c.add("spec.count_basis", `must be "logical" or "raw", got ${JSON.stringify(spec.count_basis)}`);
    }
    const range = spec.min !== undefined || spec.max !== undefined;
    if (spec.exactly !== undefined && range) c.add("spec.exactly", 'cannot be combined with "spec.min" or "spec.max"');
    if (spec.exactly === undefined && !range) c.add("spec", 'needs "exactly", or "min" and/or "max"');
  },
  temporal(c, spec) {
    checkAnchor(c, spec.from, "spec.from");
    checkAnchor(c, spec.to, "spec.to");
    for (const key of ["min", "max", "clock_skew_tolerance"]) {
      if (spec[key] !== undefined && !isDuration(spec[key])) {
        c.add(`spec.${key}`, `must be an ISO 8601 duration such as "PT15M", got ${JSON.stringify(spec[key])}`);
      }
    }
    if (spec.min === undefined && spec.max === undefined) c.add("spec", 'needs "min" and/or "max"');
  },
  consensus(c, spec) {
    checkString(c, spec, "claim", "spec.claim", true);
    if (spec.require_signed_sources !== undefined && typeof spec.require_signed_sources !== "boolean") {
      c.add("spec.require_signed_sources", "must be a boolean");
    }
    if (!Array.isArray(spec.sources) || spec.sources.length === 0) {
      c.add("spec.sources", spec.sources === undefined ? "is required" : "must be a non-empty array");
    } else {
      spec.sources.forEach((source, i) => {
        const path = `spec.sources[${i}]`;
        if (!isRecord(source)) return c.add(path, "must be an object");
        if (source.kind !== "intentproof_action" && source.kind !== "external") {
          c.add(`${path}.kind`, `must be "intentproof_action" or "external", got ${JSON.stringify(source.kind)}`);
        }
        for (const key of ["action", "source_id", "channel"]) checkString(c, source, key, `${path}.${key}`, false);
        checkPredicate(c, source.where, `${path}.where`);
      });
    }
    if (!isRecord(spec.threshold)) {
      c.add("spec.threshold", spec.threshold === undefined ? "is required" : "must be an object");
    } else {
      for (const key of ["unanimous", "majority"]) {
        if (spec.threshold[key] !== undefined && typeof spec.threshold[key] !== "boolean") c.add(`spec.threshold.${key}`, "must be a boolean");
      }
      const least = spec.threshold.agree_at_least;
      if (least !== undefined && !(isCount(least) && (least as number) >= 1)) c.add("spec.threshold.agree_at_least", "must be an integer ≥ 1");
    }
  },
  value_bound(c, spec) {
    checkString(c, spec, "claim", "spec.claim", true);
    checkString(c, spec, "source_id", "spec.source_id", false);
    if (spec.operator === undefined) c.add("spec.operator", "is required");
    else if (!OPERATORS.includes(spec.operator as string)) {
      c.add("spec.operator", `must be one of ${OPERATORS.join(", ")}, got ${JSON.stringify(spec.operator)}`);
    }
    if (spec.value === undefined) c.add("spec.value", "is required");
    else if (typeof spec.value !== "number") c.add("spec.value", "must be a number");
  },
  claim_match(c, spec) {
    checkString(c, spec, "claim", "spec.claim", true);
    checkString(c, spec, "source_id", "spec.source_id", false);
    if (!("expected_value" in spec)) c.add("spec.expected_value", "is required");
    if (spec.require_signed !== undefined && typeof spec.require_signed !== "boolean") c.add("spec.require_signed", "must be a boolean");
  },
};

function checkRule(parent: Collector, rule: unknown, index: number): void {
  if (!isRecord(rule)) return parent.add(`rules[${index}]`, "must be an object");
  const id = typeof rule.id === "string" ? ` (id ${JSON.stringify(rule.id)}` : " (no id";
  const category = typeof rule.category === "string" ? `, ${rule.category})` : ")";
  const c = parent.child(`rules[${index}]${id}${category}: `);
  checkString(c, rule, "id", "id", true);
  if (rule.severity !== undefined && !SEVERITIES.includes(rule.severity as string)) {
    c.add("severity", `must be one of ${SEVERITIES.join(", ")}, got ${JSON.stringify(rule.severity)}`);
  }
  if (!RULE_CATEGORIES.includes(rule.category as (typeof RULE_CATEGORIES)[number])) {
    c.add("category", `must be one of ${RULE_CATEGORIES.join(", ")}, got ${JSON.stringify(rule.category)}`);
    return;
  }
  if (!isRecord(rule.spec)) return c.add("spec", rule.spec === undefined ? "is required" : "must be an object");
  SPEC_CHECKS[rule.category as (typeof RULE_CATEGORIES)[number]](c, rule.spec);
}

/** Every way `document` departs from policy.v1; empty when it is a valid policy. */
export function policyProblems(document: unknown): PolicyProblem[] {
  const c = new Collector();
  if (!isRecord(document)) {
    c.add("policy", "must be a JSON object");
    return c.problems;
  }
  for (const key of REQUIRED_TOP) if (document[key] === undefined) c.add(key, "is required");
  for (const key of Object.keys(document)) if (!TOP_LEVEL.has(key)) c.add(key, "is not a policy.v1 field");
  if (document.schema !== undefined && document.schema !== "intentproof.policy.v1") {
    c.add("schema", `must be "intentproof.policy.v1", got ${JSON.stringify(document.schema)}`);
  }
  if (document.provenance_class !== undefined && document.provenance_class !== "platform_attested") {
    c.add("provenance_class", `must be "platform_attested", got ${JSON.stringify(document.provenance_class)}`);
  }
  for (const key of ["policy_id", "tenant_id", "name", "description", "rfc_version", "spec_version", "policy_fingerprint"]) {
    checkString(c, document, key, key, false);
  }
  const version = document.policy_version;
  if (version !== undefined && !(typeof version === "number" && Number.isInteger(version) && version >= 1)) {
    c.add("policy_version", "must be an integer ≥ 1");
  }
  if (document.signed_at !== undefined && !(typeof document.signed_at === "string" && RFC3339.test(document.signed_at))) {
    c.add("signed_at", "must be an RFC 3339 date-time");
  }
  const req = document.instrumentation_requirement;
  if (req !== undefined && req !== "full" && req !== "operational" && req !== "minimal") {
    c.add("instrumentation_requirement", `must be "full", "operational" or "minimal", got ${JSON.stringify(req)}`);
  }
  if (document.scope !== undefined) {
    if (!isRecord(document.scope)) c.add("scope", "must be an object");
    else {
      const actions = document.scope.any_event_action_in;
      if (actions !== undefined && !(Array.isArray(actions) && actions.every((a) => typeof a === "string"))) {
        c.add("scope.any_event_action_in", "must be an array of strings");
      }
      const ignore = document.scope.ignore_flows_with_no_match;
      if (ignore !== undefined && typeof ignore !== "boolean") c.add("scope.ignore_flows_with_no_match", "must be a boolean");
    }
  }
  if (document.signature !== undefined) {
    if (!isRecord(document.signature)) c.add("signature", "must be an object");
    else for (const key of ["alg", "key_id", "value"]) checkString(c, document.signature, key, `signature.${key}`, false);
  }
  if (document.claims !== undefined && !Array.isArray(document.claims)) c.add("claims", "must be an array");
  if (document.rules !== undefined) {
    if (!Array.isArray(document.rules)) c.add("rules", "must be an array");
    else document.rules.forEach((rule, i) => checkRule(c, rule, i));
  }
  return c.problems;
}
