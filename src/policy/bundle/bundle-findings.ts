import { specV1Validator, type SpecV1SchemaName } from "../../schema/spec-v1.js";
import { describeViolations } from "../../schema/validator.js";

export interface BundleFinding {
  /** Stable code, e.g. `bundle.member_hash_mismatch`, `signature.invalid`, `run.replay_mismatch`. */
  readonly code: string;
  /** `fail` breaks verification; `warn` is reported only. */
  readonly severity: "fail" | "warn";
  readonly detail: string;
  readonly member?: string;
  readonly event_id?: string;
}

/** Collects the findings of one bundle verification. */
export class BundleFindings {
  readonly list: BundleFinding[] = [];

  fail(code: string, detail: string, extra: Partial<BundleFinding> = {}): void {
    this.list.push({ code, severity: "fail", detail, ...extra });
  }

  warn(code: string, detail: string, extra: Partial<BundleFinding> = {}): void {
    this.list.push({ code, severity: "warn", detail, ...extra });
  }

  /** True when `value` is a valid `<schema>.v1`; a `code` finding otherwise. */
  schemaValid(schema: SpecV1SchemaName, value: unknown, member: string, code: string): boolean {
    const problems = describeViolations(specV1Validator(schema)(value));
    if (problems.length > 0) this.fail(code, `${member} is not a valid ${schema}.v1: ${problems.slice(0, 3).join("; ")}`, { member });
    return problems.length === 0;
  }

  firstFailure(): BundleFinding | undefined {
    return this.list.find((f) => f.severity === "fail");
  }
}
