import { parsedJsonText, textBodyValue } from "../core/http/body-written.js";
import type { ResolvedSerializeOptions } from "../core/serialize-options.js";
import { snapshotValue } from "../core/snapshot.js";
import type { JsonValue } from "../core/types.js";

const JAVASCRIPT_MEDIA_TYPE = /^\s*(?:text|application)\/(?:javascript|ecmascript)\b/i;
// What Express's res.jsonp sends when the request names a callback.
const JSONP_CALL = /^\/\*\*\/ typeof ([\w$.[\]]+) === 'function' && \1\(([\s\S]*)\);$/;

/**
 * A text body an Express response sent, as the record's output: the value
 * it stands for (see `textBodyValue`: JSON, by its label or its shape, is
 * parsed back so that the serializer's limits and `redactKeys` reach into
 * it), and the argument of a JSONP call parsed back too; an empty body is
 * `null`.
 */
export function sentTextOutput(text: string, contentType: unknown, serialization: ResolvedSerializeOptions): JsonValue {
  if (text.length === 0) return null;
  const call = typeof contentType === "string" && JAVASCRIPT_MEDIA_TYPE.test(contentType) ? JSONP_CALL.exec(text) : null;
  let value: unknown;
  if (call === null) value = textBodyValue(text, contentType, serialization.maxStringLength);
  else value = call[2] === "" ? null : parsedJsonText(call[2]!, serialization.maxStringLength);
  return snapshotValue(value, serialization);
}
