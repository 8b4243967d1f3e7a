import { isJsonMediaType, parsedJsonText } from "../core/http/body-written.js";
import type { ResolvedSerializeOptions } from "../core/serialize-options.js";
import { snapshotValue } from "../core/snapshot.js";
import type { JsonValue } from "../core/types.js";

const JAVASCRIPT_MEDIA_TYPE = /^\s*(?:text|application)\/(?:javascript|ecmascript)\b/i;
// What Express's res.jsonp sends when the request names a callback.
const JSONP_CALL = /^\/\*\*\/ typeof ([\w$.[\]]+) === 'function' && \1\(([\s\S]*)\);$/;

/**
 * A text body an Express response sent, as the record's output. JSON, and
 * the argument of a JSONP call, are parsed back, so that the serializer's
 * limits and `redactKeys` reach into them; other text is recorded as sent;
 * an empty body is `null`.
 */
export function sentTextOutput(text: string, contentType: unknown, serialization: ResolvedSerializeOptions): JsonValue {
  if (text.length === 0) return null;
  let value: unknown = text;
  if (isJsonMediaType(contentType)) {
    value = parsedJsonText(text, serialization.maxStringLength);
  } else if (typeof contentType === "string" && JAVASCRIPT_MEDIA_TYPE.test(contentType)) {
    const call = JSONP_CALL.exec(text);
    if (call !== null) value = call[2] === "" ? null : parsedJsonText(call[2]!, serialization.maxStringLength);
  }
  return snapshotValue(value, serialization);
}
