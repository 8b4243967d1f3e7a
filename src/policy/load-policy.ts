/**
 * Loading policies: from an object, a JSON file or (when the optional `yaml`
 * package is installed) a YAML file. Every policy is checked against policy.v1
 * and its declared `policy_fingerprint` recomputed before it is used.
 */
import { extname } from "node:path";
import { policyFingerprint } from "./fingerprint.js";
import { PolicyError } from "./policy-error.js";
import { specV1Validator } from "../schema/spec-v1.js";
import { policyProblems, type PolicyProblem } from "./policy-problems.js";
import type { Policy } from "./types.js";

/**
 * Checks `document` and returns it typed as a Policy; throws a PolicyError
 * listing every problem otherwise (schema, rule fields, fingerprint).
 */
export function parsePolicy(document: unknown, source = "policy"): Policy {
  const problems: PolicyProblem[] = policyProblems(document);
  // The schema validator is the reference; the checks above say the same in
  // terms of rules and fields, so its own words are only added for what they
  // did not cover (e.g. the claim objects of `claims`).
  if (problems.length === 0) problems.push(...schemaProblems(document));
  if (problems.length === 0) {
    const declared = (document as Policy).policy_fingerprint;
    const computed = policyFingerprint(document as object);
    if (declared !== computed) {
      problems.push({
        path: "policy_fingerprint",
        message: `"policy_fingerprint" does not match the policy's content: declared ${declared}, computed ${computed}`,
      });
    }
  }
  if (problems.length > 0) throw new PolicyError(source, problems);
  return document as Policy;
}

function pointerToPath(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path === "" ? part : `${path}.${part}`), "");
}

function schemaProblems(document: unknown): PolicyProblem[] {
  return specV1Validator("policy")(document).map((violation) => {
    const path = pointerToPath(violation.instancePath) || "policy";
    return { path, message: `"${path}" ${violation.message} (policy.v1 schema, ${violation.schemaPath})` };
  });
}

/** A policy written without the derived fields: `schema`, `provenance_class` and `policy_fingerprint` are filled in. */
export type PolicyDraft = Omit<Policy, "schema" | "provenance_class" | "policy_fingerprint"> &
  Partial<Pick<Policy, "schema" | "provenance_class" | "policy_fingerprint">>;

/** Completes a draft (schema, provenance, fingerprint; a signature or signing time given is dropped), checks it and returns the policy. */
export function definePolicy(draft: PolicyDraft): Policy {
  const policy: Record<string, unknown> = { schema: "intentproof.policy.v1", provenance_class: "platform_attested", ...draft };
  // A draft often comes from spreading another policy: its derived fields
  // (fingerprint, signature) no longer hold, and absent ones are left out.
  for (const key of ["policy_fingerprint", "signed_at", "signature"]) delete policy[key];
  for (const key of Object.keys(policy)) if (policy[key] === undefined) delete policy[key];
  policy.policy_fingerprint = policyFingerprint(policy);
  return parsePolicy(policy, `policy "${String(draft.policy_id)}"`);
}

// Kept out of static imports so bundlers leave the optional package alone and
// a user without it never loads it.
const YAML_PACKAGE = "yaml";

async function parseYaml(text: string, source: string): Promise<unknown> {
  let yaml: { parse(text: string): unknown };
  try {
    yaml = (await import(YAML_PACKAGE)) as { parse(text: string): unknown };
  } catch {
    throw new Error(`${source}: reading YAML policies needs the optional "yaml" package (npm install yaml), or give the policy as JSON`);
  }
  try {
    return yaml.parse(text);
  } catch (error) {
    throw new PolicyError(source, [{ path: "policy", message: `not valid YAML: ${(error as Error).message}` }]);
  }
}

/** Parses policy text: YAML for `.yaml`/`.yml` sources, JSON otherwise. */
export async function parsePolicyText(text: string, source: string): Promise<Policy> {
  const extension = extname(source).toLowerCase();
  let document: unknown;
  if (extension === ".yaml" || extension === ".yml") document = await parseYaml(text, source);
  else {
    try {
      document = JSON.parse(text);
    } catch (error) {
      throw new PolicyError(source, [{ path: "policy", message: `not valid JSON: ${(error as Error).message}` }]);
    }
  }
  return parsePolicy(document, source);
}

/** Reads and checks a policy file (`.json`, or `.yaml`/`.yml` with the `yaml` package). */
export async function loadPolicyFile(path: string): Promise<Policy> {
  // Fetched here, not imported: the public node:fs/promises module loads the
  // streams, a millisecond of a cold `import "intentproof"` this file is part of.
  const { readFile } = process.getBuiltinModule("node:fs/promises");
  return parsePolicyText(await readFile(path, "utf8"), path);
}
