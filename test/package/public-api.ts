/**
 * The pinned public API: the runtime export names of each entry, sorted.
 * A refactor that drops or renames one fails test/package/*.test.ts; adding
 * one means adding it here on purpose.
 */
export const PUBLIC_EXPORTS: Record<"intentproof" | "intentproof/express" | "intentproof/nestjs", string[]> = {
  intentproof: [
    "BoundedQueueExporter",
    "DEFAULT_CORRELATION_HEADER",
    "EvidenceError",
    "EvidenceExporter",
    "ExporterTimeoutError",
    "HttpExporter",
    "HttpExporterError",
    "InnerExportTimeoutError",
    "IntentProofClient",
    "MemoryExporter",
    "VERSION",
    "assertCorrelationId",
    "assertWrapOptionsShape",
    "canonicalJson",
    "client",
    "correlationFromHeader",
    "createIntentProofClient",
    "exportPublicKeys",
    "getCorrelationId",
    "getIntentProofClient",
    "runWithCorrelationId",
    "snapshot",
    "verifyEvidence",
  ],
  "intentproof/express": ["intentproof", "recordRoute"],
  "intentproof/nestjs": [
    "CorrelationId",
    "INTENTPROOF_MODULE_OPTIONS",
    "IntentProof",
    "IntentProofInterceptor",
    "IntentProofMiddleware",
    "IntentProofModule",
  ],
};
