import { sameValue } from "../event-match.js";
import type { Finding, PolicyRule } from "../types.js";
import { attestationIds, attestationsOf, isSourceSigned } from "./attestation-match.js";
import type { RuleContext } from "./context.js";
import { finding } from "./finding.js";

interface ClaimMatchSpec {
  claim: string;
  expected_value?: unknown;
  source_id?: string;
  require_signed?: boolean;
}

// `expected_value: null` is a value to match; only an absent key is "missing".
// With require_signed, an attestation without a source signature makes the
// rule inconclusive: the source's key is not part of the evidence, so the
// signature's presence is what can be checked offline.
export function evaluateClaimMatch(rule: PolicyRule, { attestations }: RuleContext): Finding {
  const spec = rule.spec as unknown as ClaimMatchSpec;
  if (!("expected_value" in spec)) {
    return finding(rule, "inconclusive", "inconclusive.claim_match.expected_missing", "the rule has no expected_value");
  }
  const matched = attestationsOf(attestations, spec.claim, spec.source_id);
  if (matched.length === 0) {
    return finding(rule, "inconclusive", "inconclusive.claim_match.claim_missing", `no attestation of ${spec.claim}${spec.source_id === undefined ? "" : ` from ${spec.source_id}`}`);
  }
  if (spec.require_signed === true) {
    const unsigned = matched.filter((a) => !isSourceSigned(a));
    if (unsigned.length > 0) {
      return finding(rule, "inconclusive", "inconclusive.claim_match.source_unsigned", `${unsigned.length} attestation(s) of ${spec.claim} carry no source signature`, [], attestationIds(unsigned));
    }
  }
  const mismatched = matched.filter((a) => !sameValue(a.claim_value, spec.expected_value));
  return mismatched.length > 0
    ? finding(rule, "fail", "fail.claim_match.mismatch", `${spec.claim} is not ${JSON.stringify(spec.expected_value)} in ${mismatched.length} of ${matched.length} attestation(s)`, [], attestationIds(mismatched))
    : finding(rule, "pass", "pass.claim_match.matched", `${spec.claim} is ${JSON.stringify(spec.expected_value)} in every attestation`, [], attestationIds(matched));
}
