// The evidence layer: signed intentproof.event.v1 records, chains, checkpoints, the log and its verifier.
export { canonicalize } from "./jcs.js";
export { eventDigest, eventHash, formatSha256, parseSha256, withoutSignature, GENESIS_PREV_HASH } from "./event-hash.js";
export {
  EMPTY_MERKLE_ROOT,
  MerkleAccumulator,
  eventIdMerkleRoot,
  merkleLeafHash,
  merkleNodeHash,
  merkleRoot,
  merkleRootHex,
} from "./merkle.js";
export { privateKeyFromSeed, publicKeyFromRaw, rawPublicKey, signEd25519, verifyEd25519, isEd25519Key } from "./ed25519.js";
export {
  ARRAY_OUTPUT_KEY,
  SDK_VERSION,
  UNCORRELATED,
  UNRESERVED_ATTRIBUTE_PREFIX,
  recordCorrelationId,
  toUnsignedRecord,
  type ChainLink,
} from "./map-event.js";
export { REDACTION_TOKEN, scanPayload } from "./redaction-scan.js";
export {
  EVENT_SCHEMA,
  EVIDENCE_SPEC_VERSION,
  PROVENANCE_SDK,
  type EvidenceRecord,
  type EvidenceSignature,
  type RedactionSummary,
  type UnsignedEvidenceRecord,
} from "./record.js";
