import { StreamableFile } from "@nestjs/common";

/**
 * What a handler's result is recorded as when it is a host object rather
 * than data: a `StreamableFile` or a Node stream becomes a small summary
 * (its kind, and for a file the content type and length Nest will send),
 * never its internals, which hold the server's file paths and buffers.
 * `undefined` for anything else, which is recorded as it is.
 */
export function hostObjectSummary(value: unknown): Record<string, string | number> | undefined {
  if (value === null || typeof value !== "object") return undefined;
  if (value instanceof StreamableFile) {
    const summary: Record<string, string | number> = { kind: "StreamableFile" };
    const { type, length } = value.getHeaders();
    if (typeof type === "string") summary.type = type;
    if (typeof length === "number") summary.length = length;
    return summary;
  }
  if (typeof (value as { pipe?: unknown }).pipe === "function" && typeof (value as { on?: unknown }).on === "function") {
    return { kind: "stream" };
  }
  return undefined;
}
