import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { validateEvent } from "../support/event-validator.js";

const specFile = (relative: string) => new URL(`../../spec/${relative}`, import.meta.url);
const readJson = (relative: string): unknown => JSON.parse(readFileSync(specFile(relative), "utf8"));

interface EventCase {
  caseId: string;
  shouldValidate: boolean;
  event: unknown;
}

const goldenText = readFileSync(specFile("golden/execution_event_cases.jsonl"), "utf8");
const goldenLines = goldenText.split("\n").filter((line) => line.trim() !== "");
const cases = goldenLines.map((line) => JSON.parse(line) as EventCase);

describe("spec/golden/execution_event_cases.jsonl", () => {
  it("has one case per line and enough of them to mean something", () => {
    const newlineCount = goldenText.split("\n").length - (goldenText.endsWith("\n") ? 1 : 0);
    expect(cases).toHaveLength(newlineCount);
    expect(cases.length).toBeGreaterThan(10);
    // Both verdicts must be exercised, or a validator that always says yes (or no) would pass.
    expect(cases.some((c) => c.shouldValidate)).toBe(true);
    expect(cases.some((c) => !c.shouldValidate)).toBe(true);
    expect(new Set(cases.map((c) => c.caseId)).size).toBe(cases.length);
  });

  for (const golden of cases) {
    it(`${golden.caseId}: ${golden.shouldValidate ? "valid" : "rejected"}`, () => {
      expect(typeof golden.shouldValidate).toBe("boolean");
      const problems = validateEvent(golden.event);
      if (golden.shouldValidate) expect(problems).toEqual([]);
      else expect(problems.length).toBeGreaterThan(0);
    });
  }
});

describe("spec/examples", () => {
  it("success_event.json is valid", () => {
    const event = readJson("examples/success_event.json") as { status: string };
    expect(event.status).toBe("ok");
    expect(validateEvent(event)).toEqual([]);
  });

  it("error_event.json is valid, including its nested cause", () => {
    const event = readJson("examples/error_event.json") as { status: string; error: { cause?: unknown } };
    expect(event.status).toBe("error");
    expect(event.error.cause).toBeDefined();
    expect(validateEvent(event)).toEqual([]);
  });

  it("every step of multi_step_correlation.json is valid and shares the chain's correlationId", () => {
    const chain = readJson("examples/multi_step_correlation.json") as {
      correlationId: string;
      steps: Array<{ correlationId?: string; startedAt: string; completedAt: string }>;
    };
    expect(chain.steps.length).toBeGreaterThanOrEqual(2);
    expect(chain.correlationId.trim()).not.toBe("");
    for (const step of chain.steps) {
      expect(validateEvent(step)).toEqual([]);
      expect(step.correlationId).toBe(chain.correlationId);
    }
    // A chain's steps happen one after the other.
    for (let i = 1; i < chain.steps.length; i++) {
      expect(Date.parse(chain.steps[i]!.startedAt)).toBeGreaterThanOrEqual(Date.parse(chain.steps[i - 1]!.completedAt));
    }
  });
});
