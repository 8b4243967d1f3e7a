/**
 * What an EvidenceExporter needs once it starts: opening and recovering its
 * instance (key store, lock, segment log, chain heads), mapping and checking
 * records, checkpoints, the signing worker, state files and shipping.
 *
 * EvidenceExporter loads this with import() as it starts, not at import of
 * the package: it is most of the evidence layer's code and brings in
 * node:fs/promises, node:os and node:crypto, which together were about a
 * third of a cold `import "intentproof"`. Options are still checked in the
 * constructor; events exported meanwhile wait in the exporter's queue
 * (bounded by maxBacklog), as they already did while the instance opened.
 */
export { ChainBook } from "./chain-book.js";
export { checkpointLine, signCheckpoint } from "./checkpoint.js";
export { openInstance } from "./instance-store.js";
export { recordCorrelationId, toUnsignedRecord } from "./map-event.js";
export { looksValid } from "./record-check.js";
export { recoverInstance } from "./recovery.js";
export { Shipper } from "./shipper.js";
export { BatchSigner } from "./signing-worker.js";
export { writeState } from "./state-file.js";
