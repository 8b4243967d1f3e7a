/** The completeness layer: policies, flows, runs, the flow monitor, bundles. */
export { parsePolicy, parsePolicyText, loadPolicyFile, definePolicy, type PolicyDraft } from "./load-policy.js";
export { PolicyError } from "./policy-error.js";
export { policyProblems, type PolicyProblem } from "./policy-problems.js";
export { policyFingerprint } from "./fingerprint.js";
export { evaluatePolicy, type EvaluationInput, type EvaluationOptions } from "./evaluate.js";
export { buildFlowFromEvents, buildFlowFromRecords, type BuiltFlow, type EventRecordV1, type FlowOptions } from "./flow-builder.js";
export { parseAttestationsJsonl } from "./attestations.js";
export { FlowMonitor, type FlowMonitorStats } from "./flow-monitor.js";
export type { ClosureReason, FlowMonitorOptions, MonitoredFlow } from "./flow-monitor-options.js";
export type { PolicyMonitorSettings } from "../core/extensions/policy-monitor.js";
export type {
  Attestation,
  AttributePredicate,
  Finding,
  Flow,
  FlowEvent,
  Outcome,
  Policy,
  PolicyRule,
  RuleCategory,
  Run,
  Severity,
} from "./types.js";
export { createProofBundle, type ProofBundle } from "./bundle/proof-bundle.js";
export type { BundleInput, BundleManifest } from "./bundle/create-bundle.js";
export type { BundleFinding, BundleVerification, BundleVerifyOptions, ManifestSignatureReport } from "./bundle/verify-bundle.js";
export type { CheckEvidenceOptions, EvidenceCheck, BundleEvidenceOptions, BundleSigning, EvidenceBundle } from "./check-evidence.js";
export { checkEvidence, bundleEvidence, verifyBundleFile } from "./on-demand.js";
