/** Helpers for comparing the sample app's records with what a test expects. */
import type { ExecutionEvent } from "../../../src/core/types.js";

/** The part of an event a test can predict: everything but id and timing. */
export type StableRecord = Omit<ExecutionEvent, "id" | "startedAt" | "completedAt" | "durationMs">;

export function stableRecord(event: ExecutionEvent): StableRecord {
  const { id: _id, startedAt: _startedAt, completedAt: _completedAt, durationMs: _durationMs, ...rest } = event;
  return rest;
}

export interface ChainsResponse {
  chains: Array<{
    correlationId: string;
    status: "ok" | "error";
    startedAt: string;
    completedAt: string;
    durationMs: number;
    steps: ExecutionEvent[];
  }>;
}

/** The steps of the chain with `correlationId`, as the app's JSON API returns them (start order). */
export async function chainSteps(baseUrl: string, correlationId: string): Promise<ExecutionEvent[]> {
  const response = await fetch(`${baseUrl}/api/chains?correlationId=${encodeURIComponent(correlationId)}`);
  if (!response.ok) throw new Error(`GET /api/chains answered ${response.status}`);
  const body = (await response.json()) as ChainsResponse;
  return body.chains.find((chain) => chain.correlationId === correlationId)?.steps ?? [];
}

/** Every event the app keeps in memory. */
export async function allEvents(baseUrl: string): Promise<ExecutionEvent[]> {
  const response = await fetch(`${baseUrl}/api/chains`);
  const body = (await response.json()) as ChainsResponse;
  return body.chains.flatMap((chain) => chain.steps);
}

export const REFUND_BODY = { orderId: "ORD-1042", amountCents: 4999, reason: "requested_by_customer" } as const;

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}
