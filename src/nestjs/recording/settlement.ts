import type { Execution } from "../../core/execution.js";

/**
 * How a recorded call's outcome becomes its event. A plain method settles
 * with its result or error as they are; a route handler adds the `http.*`
 * attributes and maps HTTP exceptions (see `HandlerCall`).
 * Implementations never throw.
 */
export interface Settlement {
  succeed(execution: Execution, value: unknown): void;
  fail(execution: Execution, error: unknown): void;
}

export const plainSettlement: Settlement = {
  succeed: (execution, value) => execution.succeed(value),
  fail: (execution, error) => execution.fail(error),
};
