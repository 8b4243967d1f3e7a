import type { PolicyProblem } from "./policy-problems.js";

/** A policy that cannot be used: every problem, each naming its rule and field. */
export class PolicyError extends TypeError {
  constructor(
    readonly source: string,
    readonly problems: readonly PolicyProblem[],
  ) {
    const shown = problems.slice(0, 10).map((p) => `\n  - ${p.message}`).join("");
    const more = problems.length > 10 ? `\n  … and ${problems.length - 10} more` : "";
    super(`${source}: not a valid intentproof.policy.v1 policy:${shown}${more}`);
    this.name = "PolicyError";
  }
}
