/**
 * What the proof page says about completeness: the run the client's flow
 * monitor reported for each flow (a refund that skipped its receipt fails
 * with "required step skipped: email.customer.refund_receipt"), and each
 * flow's proof bundle, made from the signed evidence on request.
 */
import { bundleEvidence, type EvidenceExporter, type MonitoredFlow, type Policy, type PolicyMonitorSettings, type Run } from "intentproof";
import type { Chain } from "./chains.js";

export interface FlowFinding {
  outcome: string;
  reason: string;
  ruleId: string;
  summary: string;
}

export interface FlowRunView {
  /** `pending`: the flow is still open (no event for less than the idle window), so not judged yet. */
  status: "pass" | "fail" | "inconclusive" | "pending";
  policyId: string;
  closureReason?: string;
  /** The findings that did not pass. */
  findings: FlowFinding[];
  /** Where the flow's proof bundle downloads from. */
  bundleUrl: string;
}

/** How long a flow stays open without events: INTENTPROOF_FLOW_IDLE_MS, default 2 s (a request's steps come within milliseconds). */
export function flowIdleMsFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.INTENTPROOF_FLOW_IDLE_MS?.trim();
  if (!raw) return 2000;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 1) throw new TypeError(`INTENTPROOF_FLOW_IDLE_MS must be a positive integer, got ${JSON.stringify(raw)}`);
  return ms;
}

export function bundleUrl(correlationId: string): string {
  return `/api/flows/${encodeURIComponent(correlationId)}/bundle`;
}

/** The latest run of each recent flow, bounded like the page's event memory. */
export class FlowRuns {
  private readonly runs = new Map<string, FlowRunView>();

  constructor(
    readonly policy: Policy,
    readonly idleMs: number,
    private readonly maxFlows = 500,
  ) {}

  /** The `policyMonitor` option of the app's client. */
  monitorSettings(): PolicyMonitorSettings {
    return { idleMs: this.idleMs, onRun: (run, flow) => this.record(run, flow) };
  }

  record(run: Run, { flow, closureReason }: MonitoredFlow): void {
    const id = flow.correlation_id;
    this.runs.delete(id);
    this.runs.set(id, {
      status: run.status,
      policyId: run.policy_id,
      closureReason,
      findings: run.findings
        .filter((f) => f.outcome !== "pass")
        .map((f) => ({ outcome: f.outcome, reason: f.reason, ruleId: f.rule_id, summary: f.human_summary ?? f.reason })),
      bundleUrl: bundleUrl(id),
    });
    if (this.runs.size > this.maxFlows) this.runs.delete(this.runs.keys().next().value!);
  }

  /** The run of every chain the policy covers; `pending` while its flow is open. */
  forChains(chains: readonly Chain[]): Record<string, FlowRunView> {
    const scope = this.policy.scope.any_event_action_in ?? [];
    const out: Record<string, FlowRunView> = {};
    for (const chain of chains) {
      const run = this.runs.get(chain.correlationId);
      if (run !== undefined) out[chain.correlationId] = run;
      else if (chain.steps.some((step) => scope.includes(step.action))) {
        out[chain.correlationId] = { status: "pending", policyId: this.policy.policy_id, findings: [], bundleUrl: bundleUrl(chain.correlationId) };
      }
    }
    return out;
  }
}

export type FlowBundle =
  | { ok: true; fileName: string; contentType: string; bytes: Buffer }
  | { ok: false; status: 404 | 409 | 503; message: string; retryAfterSeconds?: number };

/**
 * The proof bundle of one flow: its signed records, the policy, a fresh run
 * and this instance's public keys, after the evidence log verifies.
 * `intentproof verify <bundle> --keys <keys.json>` checks it offline.
 * A flow whose last records no signed checkpoint covers yet is not bundled,
 * as `intentproof bundle` refuses it: its manifest would attest a log length
 * no checkpoint shows. The writer signs one within a second or two of the
 * last event, so the download waits for it up to `attestationWaitMs`, then
 * answers 503 with Retry-After.
 */
export async function flowBundle(
  evidence: EvidenceExporter,
  policy: Policy,
  correlationId: string,
  attestationWaitMs = ATTESTATION_WAIT_MS,
): Promise<FlowBundle> {
  await evidence.flush().catch(() => undefined);
  const info = await evidence.ready();
  const deadline = Date.now() + attestationWaitMs;
  try {
    for (;;) {
      const made = await bundleEvidence(info.instancePath, { correlationId, policy, keys: info.publicKeys });
      if (made.bundle === undefined) {
        return { ok: false, status: 409, message: `the evidence of ${correlationId} does not verify: ${made.integrity.map((p) => p.reason).join(", ")}` };
      }
      if (made.unattestedEvents === 0) {
        const { bundle } = made;
        return { ok: true, fileName: bundle.fileName, contentType: bundle.compressed ? "application/zstd" : "application/x-tar", bytes: bundle.bytes };
      }
      if (Date.now() >= deadline) {
        return {
          ok: false,
          status: 503,
          retryAfterSeconds: 1,
          message: `${made.unattestedEvents} record(s) of ${correlationId} are not covered by a signed checkpoint yet: try again in a moment`,
        };
      }
      await new Promise((resolve) => setTimeout(resolve, ATTESTATION_POLL_MS));
    }
  } catch (error) {
    // bundleEvidence throws a TypeError for a correlation without signed records.
    return { ok: false, status: 404, message: (error as Error).message };
  }
}

// The writer checks every second whether a checkpoint is due (one a second while events flow).
const ATTESTATION_WAIT_MS = 3000;
const ATTESTATION_POLL_MS = 200;
