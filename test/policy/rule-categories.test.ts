/** Each rule category: its pass, fail and inconclusive outcomes with their reason codes. */
import { describe, expect, it } from "vitest";
import { attestation, ev, judge, runRules } from "./support/evaluate-rules.js";

const brief = (f: { outcome: string; reason: string; evidence_event_ids: string[]; evidence_attestation_ids: string[] }) =>
  [f.outcome, f.reason, f.evidence_event_ids, f.evidence_attestation_ids];

describe("required", () => {
  const rule = { category: "required", spec: { action: "refund", min: 1, max: 2, where: { status: "ok" } } };
  it("passes, fails missing / over max, ignores events the where excludes", () => {
    expect(brief(judge(rule, [ev("refund", 0)]))).toEqual(["pass", "pass.required.satisfied", ["evt_refund_0"], []]);
    expect(brief(judge(rule, [ev("refund", 0, { status: "error" })]))).toEqual(["fail", "fail.required.missing", [], []]);
    expect(judge(rule, [ev("refund", 0, { status: "error" })]).human_summary).toBe("required step skipped: refund");
    expect(judge(rule, [ev("refund", 0), ev("refund", 1), ev("refund", 2)]).reason).toBe("fail.required.over_max");
    expect(judge({ category: "required", spec: { action: "refund", min: 2 } }, [ev("refund", 0)]).reason).toBe("fail.required.under_min");
  });
  it("matches attributes with equals / in", () => {
    const tiered = { category: "required", spec: { action: "refund", where: { attribute: "tier", in: ["gold", 1] } } };
    expect(judge(tiered, [ev("refund", 0, { attributes: { tier: 1 } })]).outcome).toBe("pass");
    expect(judge(tiered, [ev("refund", 0, { attributes: { tier: "silver" } })]).outcome).toBe("fail");
  });
  it("an unknown category is inconclusive, never thrown", () => {
    // definePolicy rejects unknown categories, so evaluate the rule directly.
    return import("../../src/policy/evaluate.js").then(({ evaluateRule }) => {
      const f = evaluateRule({ id: "x", category: "completion", spec: {} }, { events: [], attestations: [] });
      expect([f.outcome, f.reason, f.rule_category]).toEqual(["inconclusive", "inconclusive.unknown.unsupported_rule_category", "unknown"]);
    });
  });
});

describe("forbidden", () => {
  it("present / absent", () => {
    const rule = { category: "forbidden", spec: { action: "debug.dump" } };
    expect(judge(rule, [ev("refund", 0)]).reason).toBe("pass.forbidden.absent");
    expect(brief(judge(rule, [ev("debug.dump", 0)]))).toEqual(["fail", "fail.forbidden.present", ["evt_debug.dump_0"], []]);
  });
  it("after a predecessor (no second refund after a successful one)", () => {
    const rule = { category: "forbidden", spec: { action: "refund", after: "refund", where_predecessor: { status: "ok" } } };
    expect(judge(rule, [ev("refund", 0, { status: "error" }), ev("refund", 100)]).reason).toBe("pass.forbidden.absent");
    expect(brief(judge(rule, [ev("refund", 0), ev("refund", 100)]))).toEqual(["fail", "fail.forbidden.after_predecessor", ["evt_refund_0", "evt_refund_100"], []]);
  });
  it("without its required predecessor", () => {
    const rule = { category: "forbidden", spec: { action: "payout", after: "approve.request", without_predecessor: "approve.grant" } };
    expect(judge(rule, [ev("approve.request", 0), ev("approve.grant", 1), ev("payout", 2)]).reason).toBe("pass.forbidden.absent");
    expect(judge(rule, [ev("approve.request", 0), ev("payout", 2)]).reason).toBe("fail.forbidden.without_predecessor");
  });
});

describe("ordering", () => {
  const rule = { category: "ordering", spec: { before: "approve", after: "merge" } };
  it("pass, out of order, before missing, after missing", () => {
    expect(brief(judge(rule, [ev("approve", 0), ev("merge", 1)]))).toEqual(["pass", "pass.ordering.satisfied", ["evt_approve_0", "evt_merge_1"], []]);
    expect(judge(rule, [ev("merge", 0), ev("approve", 1)]).reason).toBe("fail.ordering.out_of_order");
    expect(brief(judge(rule, [ev("merge", 0)]))).toEqual(["inconclusive", "inconclusive.ordering.before_missing", ["evt_merge_0"], []]);
    expect(judge(rule, [ev("approve", 0)]).reason).toBe("inconclusive.ordering.after_missing");
  });
  it("all-occurrences and pairs by attribute", () => {
    const all = { category: "ordering", spec: { before: "approve", after: "merge", scope: "all-occurrences" } };
    expect(judge(all, [ev("merge", 0), ev("approve", 1), ev("merge", 2)]).reason).toBe("fail.ordering.out_of_order");
    const pairs = { category: "ordering", spec: { before: "approve", after: "merge", match_by_attribute: "pr" } };
    const a = (action: string, at: number, pr: number) => ev(action, at, { attributes: { pr } });
    expect(judge(pairs, [a("approve", 0, 1), a("merge", 1, 1), a("approve", 2, 2), a("merge", 3, 2)]).reason).toBe("pass.ordering.satisfied");
    expect(judge(pairs, [a("approve", 0, 1), a("merge", 1, 2)]).reason).toBe("fail.ordering.unmatched_pair");
    expect(judge(pairs, [a("merge", 0, 1), a("approve", 1, 1)]).reason).toBe("fail.ordering.out_of_order");
  });
});

describe("cardinality", () => {
  it("exactly, min, max", () => {
    const exactly = { category: "cardinality", spec: { action: "charge", exactly: 1 } };
    expect(judge(exactly, [ev("charge", 0)]).reason).toBe("pass.cardinality.satisfied");
    expect(judge(exactly, [ev("charge", 0), ev("charge", 1)]).reason).toBe("fail.cardinality.not_exact");
    expect(judge({ category: "cardinality", spec: { action: "charge", min: 2 } }, [ev("charge", 0)]).reason).toBe("fail.cardinality.under_min");
    expect(judge({ category: "cardinality", spec: { action: "charge", max: 1 } }, [ev("charge", 0), ev("charge", 1)]).reason).toBe("fail.cardinality.over_max");
  });
  it("logical counting ignores a record received twice; raw counts it", () => {
    const twice = [ev("charge", 0), ev("charge", 0)];
    expect(judge({ category: "cardinality", spec: { action: "charge", exactly: 1 } }, twice).outcome).toBe("pass");
    expect(judge({ category: "cardinality", spec: { action: "charge", exactly: 1, count_basis: "raw" } }, twice).outcome).toBe("fail");
  });
});

describe("temporal", () => {
  const rule = (extra = {}) => ({
    category: "temporal",
    spec: { from: { action: "open", anchor: "completed_at" }, to: { action: "notify", anchor: "started_at" }, max: "PT15M", ...extra },
  });
  it("within window, exceeded, below min, negative, skew, missing anchor", () => {
    expect(brief(judge(rule(), [ev("open", 0), ev("notify", 60_000)]))).toEqual(["pass", "pass.temporal.within_window", ["evt_open_0", "evt_notify_60000"], []]);
    expect(judge(rule(), [ev("open", 0), ev("notify", 20 * 60_000)]).reason).toBe("fail.temporal.exceeded_max");
    expect(judge(rule({ min: "PT1M" }), [ev("open", 0), ev("notify", 1000)]).reason).toBe("fail.temporal.below_min");
    expect(judge(rule(), [ev("notify", 0), ev("open", 60_000)]).reason).toBe("fail.temporal.negative_interval");
    // open completes at 10 ms, notify starts at 5 ms: 5 ms early, within a 1 s tolerance.
    expect(judge(rule({ clock_skew_tolerance: "PT1S" }), [ev("open", 0), ev("notify", 5)]).reason).toBe("inconclusive.temporal.clock_skew_within_tolerance");
    expect(brief(judge(rule(), [ev("open", 0)]))).toEqual(["inconclusive", "inconclusive.temporal.missing_anchor", ["evt_open_0"], []]);
  });
  it("days and calendar months", () => {
    expect(judge(rule({ max: "P1D" }), [ev("open", 0), ev("notify", 86_400_000 + 5_000)]).reason).toBe("fail.temporal.exceeded_max");
    expect(judge(rule({ max: "P1M" }), [ev("open", 0), ev("notify", 20 * 86_400_000)]).reason).toBe("pass.temporal.within_window");
  });
});

describe("consensus", () => {
  const rule = (threshold: object, extra = {}) => ({
    category: "consensus",
    spec: {
      claim: "refund.succeeded",
      expected_value: true,
      sources: [{ kind: "intentproof_action", action: "refund", where: { status: "ok" } }, { kind: "external", source_id: "stripe" }],
      threshold,
      ...extra,
    },
  });
  it("met when our event and Stripe agree", () => {
    const f = judge(rule({ unanimous: true }), [ev("refund", 0)], [attestation("att_1", "refund.succeeded", true)]);
    expect(brief(f)).toEqual(["pass", "pass.consensus.threshold_met", ["evt_refund_0"], ["att_1"]]);
  });
  it("disagreement when Stripe refunded but our code never did", () => {
    const f = judge(rule({ unanimous: true }), [], [attestation("att_1", "refund.succeeded", true)]);
    expect(brief(f)).toEqual(["fail", "fail.consensus.disagreement", [], ["att_1"]]);
  });
  it("threshold unmet when a source is silent", () => {
    expect(judge(rule({ unanimous: true }), [ev("refund", 0)]).reason).toBe("fail.consensus.threshold_unmet");
    expect(judge(rule({ agree_at_least: 1 }), [ev("refund", 0)]).reason).toBe("pass.consensus.threshold_met");
  });
  it("inconclusive: unsigned source, no source at all", () => {
    const unsigned = attestation("att_1", "refund.succeeded", true, { source_signature: { alg: "none", key_id: "", value: "" } });
    expect(judge(rule({ unanimous: true }, { require_signed_sources: true }), [ev("refund", 0)], [unsigned]).reason).toBe("inconclusive.consensus.source_stale");
    const externalOnly = { category: "consensus", spec: { claim: "c", sources: [{ kind: "external", source_id: "stripe" }], threshold: { majority: true } } };
    expect(judge(externalOnly, []).reason).toBe("inconclusive.consensus.external_unavailable");
  });
});

describe("value_bound", () => {
  const rule = { category: "value_bound", spec: { claim: "refund.amount", operator: "lte", value: 500, source_id: "stripe" } };
  it("satisfied, out of range, claim missing", () => {
    expect(brief(judge(rule, [], [attestation("a1", "refund.amount", 120)]))).toEqual(["pass", "pass.value_bound.satisfied", [], ["a1"]]);
    expect(brief(judge(rule, [], [attestation("a1", "refund.amount", 120), attestation("a2", "refund.amount", 900)]))).toEqual(["fail", "fail.value_bound.out_of_range", [], ["a2"]]);
    expect(judge(rule, [], [attestation("a1", "refund.amount", "120")]).reason).toBe("fail.value_bound.out_of_range");
    expect(judge(rule, [], [attestation("a1", "refund.amount", 120, { source_id: "paypal" })]).reason).toBe("inconclusive.value_bound.claim_missing");
  });
  it("leaves out attestations mapped to another correlation", () => {
    const other = attestation("a1", "refund.amount", 120, { subject: { type: "refund", id: "re", mapping_to: { correlation_id: "other" } } });
    const run = runRules([{ id: "rule", ...rule }], [], [other]);
    expect(run.findings[0]!.reason).toBe("inconclusive.value_bound.claim_missing");
    expect(run.attestation_set.ids).toEqual([]);
  });
});

describe("claim_match", () => {
  const rule = { category: "claim_match", spec: { claim: "refund.status", expected_value: "succeeded", source_id: "stripe", require_signed: true } };
  it("matched, mismatch, claim missing, unsigned", () => {
    expect(judge(rule, [], [attestation("a1", "refund.status", "succeeded")]).reason).toBe("pass.claim_match.matched");
    expect(judge(rule, [], [attestation("a1", "refund.status", "pending")]).reason).toBe("fail.claim_match.mismatch");
    expect(judge(rule, [], []).reason).toBe("inconclusive.claim_match.claim_missing");
    const unsigned = attestation("a1", "refund.status", "succeeded", { source_signature: { alg: "none", key_id: "k", value: "" } });
    expect(judge(rule, [], [unsigned]).reason).toBe("inconclusive.claim_match.source_unsigned");
  });
});

describe("run semantics", () => {
  const required = (action: string) => ({ id: action, category: "required", spec: { action } });
  const ordering = { id: "o", category: "ordering", spec: { before: "a", after: "b" } };
  it("fail beats inconclusive beats pass; the fingerprint ignores timestamps", () => {
    expect(runRules([required("a"), ordering], [ev("a", 0)]).status).toBe("inconclusive");
    expect(runRules([required("z"), ordering], [ev("a", 0)]).status).toBe("fail");
    expect(runRules([required("a")], [ev("a", 0)]).status).toBe("pass");
    const first = runRules([required("a")], [ev("a", 0)]);
    const second = runRules([required("a")], [ev("a", 0)]);
    expect(second.run_fingerprint).toBe(first.run_fingerprint);
    expect(first.run_fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(runRules([required("b")], [ev("a", 0)]).run_fingerprint).not.toBe(first.run_fingerprint);
  });

  it("the evaluator's fast fingerprint equals the generic JCS one, lone surrogates included", async () => {
    const { runFingerprint } = await import("../../src/policy/fingerprint.js");
    const runs = [
      runRules([required("a"), ordering, { id: "t", category: "temporal", spec: { from: { action: "a" }, to: { action: "b" }, max: "PT1S" } }], [ev("a", 0), ev("b", 5000)]),
      runRules([{ id: "r\uD800é\u0001\"", category: "required", spec: { action: "a\uDC00" } }], [ev("a\uDC00", 0)]),
      runRules([{ id: "c", category: "value_bound", spec: { claim: "x", operator: "lt", value: 1.5 } }], [], [attestation("a\uD800", "x", 1)]),
    ];
    for (const run of runs) expect(run.run_fingerprint).toBe(runFingerprint(run));
  });
});
