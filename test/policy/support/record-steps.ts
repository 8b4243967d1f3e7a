/**
 * Records a flow the way a service does: each step is a real wrapped call of
 * an IntentProofClient, under one correlation id, through the CheckedExporter
 * (so every emitted event is schema-checked). Step times are set on a fake
 * Date clock, so a test can record "notified 20 minutes after the case opened"
 * without waiting.
 */
import { vi } from "vitest";
import { IntentProofClient } from "../../../src/core/client.js";
import { runWithCorrelationId } from "../../../src/core/correlation.js";
import type { Attributes, ExecutionEvent } from "../../../src/core/types.js";
import { CheckedExporter } from "../../support/event-validator.js";

export interface Step {
  action: string;
  status?: "ok" | "error";
  /** Start, in ms after the flow's first step. Default: 1 s after the previous step's start. */
  at?: number;
  /** How long the call takes. Default 10 ms. */
  takes?: number;
  attributes?: Attributes;
}

const EPOCH = Date.parse("2026-05-16T00:00:00.000Z");

export function recordSteps(correlationId: string, steps: readonly Step[]): ExecutionEvent[] {
  const exporter = new CheckedExporter();
  const client = new IntentProofClient({ exporters: [exporter] });
  vi.useFakeTimers({ toFake: ["Date"] });
  try {
    let at = 0;
    steps.forEach((step, i) => {
      at = step.at ?? (i === 0 ? 0 : at + 1000);
      const end = EPOCH + at + (step.takes ?? 10);
      vi.setSystemTime(EPOCH + at);
      const call = client.wrap(
        { intent: `perform ${step.action}`, action: step.action, ...(step.attributes ? { attributes: step.attributes } : {}) },
        () => {
          vi.setSystemTime(end);
          if (step.status === "error") throw new Error(`${step.action} failed`);
          return "done";
        },
      );
      runWithCorrelationId(correlationId, () => {
        try {
          call();
        } catch {
          // The failure is what the step records.
        }
      });
    });
  } finally {
    vi.useRealTimers();
  }
  return exporter.getEvents();
}
