/**
 * `intentproof`: the core wrap engine, async-context correlation, the
 * JSON-safe serializer and the exporters; the evidence layer (signed,
 * chained records and their verifier) and the policy layer (flows, policies,
 * runs, bundles).
 */
import { installClientPolicies } from "./policy/client-policies.js";

// Lets `new IntentProofClient({ policies })` create its flow monitor (core's extension point).
installClientPolicies();
export { IntentProofClient, ExporterTimeoutError } from "./core/client.js";
export { client, createIntentProofClient, getIntentProofClient } from "./core/default-client.js";
export { getCorrelationId, runWithCorrelationId, assertCorrelationId } from "./core/correlation.js";
export { DEFAULT_CORRELATION_HEADER, correlationFromHeader } from "./core/http/correlation-header.js";
export { assertWrapOptionsShape } from "./core/wrap-options.js";
export { snapshot } from "./core/snapshot.js";
export { canonicalJson } from "./core/canonical-json.js";
export { VERSION } from "./core/version.js";
export type { ExporterDeadline } from "./core/exporter-deadline.js";
export { MemoryExporter, type MemoryExporterOptions } from "./exporters/memory.js";
export {
  HttpExporter,
  HttpExporterError,
  type HttpExporterOptions,
  type HttpExporterErrorCode,
  type HttpBodyBuilder,
} from "./exporters/http.js";
export {
  BoundedQueueExporter,
  InnerExportTimeoutError,
  type BoundedQueueExporterOptions,
  type BoundedQueueStats,
  type BoundedQueueStrategy,
  type BoundedQueueDropReason,
} from "./exporters/bounded-queue.js";
export type {
  AnyExporter,
  AttributeValue,
  Attributes,
  CorrelationConfig,
  DefaultWrapOptions,
  EventHookExporter,
  ExecutionError,
  ExecutionEvent,
  Exporter,
  ExporterDocument,
  ExporterDrainOptions,
  IntentProofConfig,
  IntentProofConfigDocument,
  JsonValue,
  SerializeOptions,
  WrapOptions,
  WrapOptionsWithFn,
} from "./core/types.js";
export { EvidenceExporter, type EvidenceStats, type EvidenceInstanceInfo } from "./evidence/evidence-exporter.js";
export type { EvidenceExporterOptions } from "./evidence/options.js";
export type { ShipOptions } from "./evidence/ship-options.js";
export { EvidenceError, type EvidenceErrorCode } from "./evidence/errors.js";
export type { EvidenceRecord, EvidenceSignature, RedactionSummary } from "./evidence/record.js";
export type { CheckpointRecord, CheckpointTrigger } from "./evidence/checkpoint.js";
export type { PublicKeySet, PublicKeyEntry } from "./evidence/key-set.js";
export { exportPublicKeys, verifyCheckpointSequence, verifyEvidence } from "./evidence/on-demand.js";
export type { VerifyReport, Finding as VerifyFinding, VerifyReason, VerifyWarning, VerifyWarningReason, ChainSummary } from "./evidence/verify/findings.js";
export type { CheckpointSequenceReport } from "./evidence/verify/checkpoint-sequence.js";
export * from "./policy/index.js";
