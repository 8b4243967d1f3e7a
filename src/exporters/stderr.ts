export { ThrottledLog, writeStderrLine } from "../core/exporter-error-log.js";

/** A short description of a thrown value for a stderr line. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" ? `${error.message} (${code})` : error.message;
  }
  try {
    return String(error);
  } catch {
    return "unknown error";
  }
}

/** The event's id for a log line, read defensively (events come from callers). */
export function eventIdOf(event: unknown): string {
  try {
    const id = (event as { id?: unknown } | null | undefined)?.id;
    return typeof id === "string" ? id : "unknown";
  } catch {
    return "unknown";
  }
}
