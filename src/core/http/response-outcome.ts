import type { Execution } from "../execution.js";
import type { Attributes, JsonValue } from "../types.js";
import { clientAbortedError, isErrorStatus, statusError } from "./synthetic-errors.js";

/**
 * Settles a recorded request that ended without a thrown error, the same way
 * in every integration: a client that left first is a `ClientAbortedError`,
 * a bare error status an `HttpError`, anything else `ok` with `output`.
 * `outputRecorded`: `output` is already the recorded output (a snapshot
 * taken as the body was sent; `undefined` when none was), not a value to
 * snapshot.
 */
export function settleResponse(
  execution: Execution,
  aborted: boolean,
  status: number,
  output: unknown,
  attributes: Attributes,
  outputRecorded = false,
): void {
  if (aborted) execution.fail(clientAbortedError(), { attributes });
  else if (isErrorStatus(status)) execution.fail(statusError(status), { attributes });
  else if (outputRecorded) execution.succeedRecorded((output ?? null) as JsonValue, attributes);
  else execution.succeed(output, attributes);
}
