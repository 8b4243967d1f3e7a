import { validateAttributes } from "./attributes.js";
import { correlationIdProblem, trimAsciiWhitespace } from "./correlation.js";
import { describeValue, OptionsReader } from "./options/options-reader.js";
import { resolveSerializeOptions } from "./snapshot.js";
import type { DefaultWrapOptions, SerializeOptions, WrapOptions } from "./types.js";

/** The serializer limits a wrap may narrow for its own calls. */
export const SERIALIZE_FIELDS = ["maxDepth", "maxKeys", "maxStringLength", "maxNodes", "redactKeys"] as const;

/** Every field of `WrapOptions`. */
export const WRAP_OPTION_FIELDS: readonly string[] = [
  "intent",
  "action",
  "correlationId",
  "attributes",
  "captureInput",
  "captureOutput",
  "captureError",
  "captureInputs",
  "includeErrorStack",
  "captureStack",
  "propagateCorrelation",
  "exporterTimeoutMs",
  ...SERIALIZE_FIELDS,
];

/** `defaultWrapOptions` takes every wrap field but a pinned correlation id. */
export const DEFAULT_WRAP_OPTION_FIELDS: readonly string[] = WRAP_OPTION_FIELDS.filter(
  (field) => field !== "correlationId",
);

/** Wrap options (or `defaultWrapOptions`) after `checkWrapOptions`. */
export type CheckedWrapOptions = Readonly<
  DefaultWrapOptions & { correlationId?: string; serialization?: Readonly<SerializeOptions> }
>;

/** The owner named in wrap option errors unless a caller names its own. */
export const WRAP_OPTIONS_OWNER = "intentproof: wrap options";

/**
 * Validates wrap options (TypeError naming the field, unknown fields with a
 * "did you mean") and returns them normalised and frozen: labels trimmed,
 * `captureStack` folded into `includeErrorStack`, `exporterTimeoutMs: 0`
 * (the spec's "SDK default") dropped, `serialization` holding the limits.
 * `requireLabels` is false for `defaultWrapOptions`.
 */
export function checkWrapOptions(
  options: unknown,
  owner: string,
  requireLabels: boolean,
): CheckedWrapOptions {
  if (requireLabels && (options === null || typeof options !== "object" || Array.isArray(options))) {
    throw new TypeError(`${owner}: options must be an object with "intent" and "action", got ${describeValue(options)}`);
  }
  const reader = new OptionsReader(owner, options, requireLabels ? WRAP_OPTION_FIELDS : DEFAULT_WRAP_OPTION_FIELDS);
  const intent = reader.text("intent");
  const action = reader.text("action");
  if (requireLabels && intent === undefined) reader.fail("intent", "is required (a non-empty string)");
  if (requireLabels && action === undefined) reader.fail("action", "is required (a non-empty string)");

  let correlationId: string | undefined;
  if (reader.has("correlationId")) {
    const problem = correlationIdProblem(reader.raw("correlationId"));
    if (problem !== undefined) reader.fail("correlationId", problem, false);
    correlationId = trimAsciiWhitespace(reader.raw("correlationId") as string);
  }

  const includeErrorStack = reader.boolean("includeErrorStack");
  const captureStack = reader.boolean("captureStack");
  if (includeErrorStack !== undefined && captureStack !== undefined && includeErrorStack !== captureStack) {
    reader.fail("captureStack", 'contradicts "includeErrorStack" (they are aliases)', false);
  }
  const exporterTimeoutMs = reader.timeoutMs("exporterTimeoutMs", { allowZero: true });

  let serialization: SerializeOptions | undefined;
  for (const field of SERIALIZE_FIELDS) {
    if (reader.has(field)) (serialization ??= {})[field] = reader.raw(field) as never;
  }
  // Checked now so a bad limit surfaces at wrap time, not per call.
  if (serialization !== undefined) resolveSerializeOptions(serialization, owner);

  const checked: DefaultWrapOptions & { correlationId?: string; serialization?: SerializeOptions } = {};
  if (intent !== undefined) checked.intent = intent;
  if (action !== undefined) checked.action = action;
  if (correlationId !== undefined) checked.correlationId = correlationId;
  const attributes = validateAttributes(reader.raw("attributes"), "attributes", owner);
  if (attributes !== undefined) checked.attributes = attributes;
  const captureInput = reader.function<(args: unknown[]) => unknown>("captureInput");
  if (captureInput !== undefined) checked.captureInput = captureInput;
  const captureOutput = reader.booleanOrFunction<(result: unknown) => unknown>("captureOutput");
  if (captureOutput !== undefined) checked.captureOutput = captureOutput;
  const captureError = reader.booleanOrFunction<(error: unknown) => unknown>("captureError");
  if (captureError !== undefined) checked.captureError = captureError;
  const captureInputs = reader.boolean("captureInputs");
  if (captureInputs !== undefined) checked.captureInputs = captureInputs;
  const stack = includeErrorStack ?? captureStack;
  if (stack !== undefined) checked.includeErrorStack = stack;
  const propagateCorrelation = reader.boolean("propagateCorrelation");
  if (propagateCorrelation !== undefined) checked.propagateCorrelation = propagateCorrelation;
  if (exporterTimeoutMs !== undefined && exporterTimeoutMs !== 0) checked.exporterTimeoutMs = exporterTimeoutMs;
  if (serialization !== undefined) checked.serialization = Object.freeze(serialization);
  return Object.freeze(checked);
}

/** Throws a TypeError naming the first malformed field of `options`. */
export function assertWrapOptionsShape(options: unknown): asserts options is WrapOptions {
  checkWrapOptions(options, WRAP_OPTIONS_OWNER, true);
}
