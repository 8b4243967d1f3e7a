/**
 * Whether each chain on the proof page verifies: the app's evidence log is
 * checked with `verifyEvidence`, as `intentproof verify` would, against the
 * public keys this instance has signed with. (An auditor uses a key set
 * handed over separately: `intentproof keys export`.)
 */
import { verifyEvidence, type EvidenceExporter, type VerifyFinding } from "intentproof";

export interface ChainProof {
  /** `verified`: every record of the chain is signed, chained and covered; `failed`: a check failed; `missing`: not in the evidence log. */
  status: "verified" | "failed" | "missing";
  records: number;
  findings: string[];
}

export interface ProofSummary {
  /** The whole log: records, chains, checkpoints, and findings about the log itself (checkpoints, unreadable lines). */
  log: { status: "pass" | "fail" | "unavailable"; events: number; chains: number; checkpoints: number; findings: string[] };
  chains: Record<string, ChainProof>;
}

const describe = (f: VerifyFinding) => `${f.reason}: ${f.detail}`;

export async function proveChains(evidence: EvidenceExporter, correlationIds: readonly string[]): Promise<ProofSummary> {
  try {
    // What the page shows must be on disk before it is checked.
    await evidence.flush().catch(() => undefined);
    const info = await evidence.ready();
    const report = await verifyEvidence(info.instancePath, info.publicKeys, { listChains: true });
    const listed = new Map((report.chain_list ?? []).map((c) => [c.correlation_id, c]));
    const chains: Record<string, ChainProof> = {};
    for (const id of correlationIds) {
      const chain = listed.get(id);
      const findings = report.findings.filter((f) => f.correlation_id === id).map(describe);
      chains[id] = chain === undefined ? { status: "missing", records: 0, findings } : { status: chain.status === "pass" ? "verified" : "failed", records: chain.events, findings };
    }
    return {
      log: {
        status: report.status,
        events: report.events,
        chains: report.chains,
        checkpoints: report.checkpoints,
        findings: report.findings.filter((f) => f.correlation_id === undefined).map(describe),
      },
      chains,
    };
  } catch (error) {
    return { log: { status: "unavailable", events: 0, chains: 0, checkpoints: 0, findings: [(error as Error).message] }, chains: {} };
  }
}
