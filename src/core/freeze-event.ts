import type { ExecutionEvent } from "./types.js";

/**
 * Freezes an event and everything in it, so no exporter (nor a reader of
 * `MemoryExporter.getEvents()`) can change what another exporter receives.
 * Events are built once and shared by every exporter: freezing what the
 * serializer just copied costs less than one copy per exporter. The values
 * are JSON (plain objects and arrays), so a plain walk covers them.
 */
export function freezeEvent(event: ExecutionEvent): ExecutionEvent {
  freezeJson(event.inputs);
  if (event.output !== null && typeof event.output === "object") freezeJson(event.output);
  if (event.error !== undefined) {
    if (event.error.cause !== undefined) Object.freeze(event.error.cause);
    Object.freeze(event.error);
  }
  if (event.attributes !== undefined) Object.freeze(event.attributes);
  return Object.freeze(event);
}

function freezeJson(value: object): void {
  if (Object.isFrozen(value)) return;
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item !== null && typeof item === "object") freezeJson(item);
    }
    return;
  }
  for (const key in value) {
    const item: unknown = (value as Record<string, unknown>)[key];
    if (item !== null && typeof item === "object") freezeJson(item);
  }
}
