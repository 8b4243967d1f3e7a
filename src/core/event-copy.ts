import type { ExecutionError, ExecutionEvent, JsonValue } from "./types.js";

/**
 * A deep copy of an event, so that an exporter or hook that mutates its event
 * cannot change what another exporter received: made for each exporter that
 * is not one of the package's own (those share the original, shared-event.ts),
 * and for user code a package exporter hands an event to (`getEvents()`,
 * `onError` hooks).
 *
 * Chosen over deep-freezing because it costs nothing when no user exporter
 * sits beside another (the event is handed over as built) and, measured, one
 * copy of a small event costs less than freezing its objects one by one. Values
 * are the serializer's JSON (plain objects and arrays), so a plain walk copies
 * them. `attributes` objects built once for a configuration or a wrap are
 * frozen and shared; an event's own (an integration's HTTP attributes) are
 * copied, their values being primitives.
 */
export function copyEvent(event: ExecutionEvent): ExecutionEvent {
  const copy = { ...event };
  if (event.attributes !== undefined && !Object.isFrozen(event.attributes)) copy.attributes = { ...event.attributes };
  if (event.inputs !== undefined) copy.inputs = copyJson(event.inputs) as ExecutionEvent["inputs"];
  if (event.output !== undefined) copy.output = copyJson(event.output);
  if (event.error !== undefined) copy.error = copyError(event.error);
  return copy;
}

function copyError(error: ExecutionError): ExecutionError {
  const copy = { ...error };
  if (error.cause !== undefined) copy.cause = { ...error.cause };
  return copy;
}

function copyJson(value: JsonValue): JsonValue {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    const items: JsonValue[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) items[i] = copyJson(value[i]!);
    return items;
  }
  const copy: Record<string, JsonValue> = {};
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const item = value[key]!;
    if (key === "__proto__") {
      // A plain assignment would set the prototype instead of an own property.
      Object.defineProperty(copy, key, { value: copyJson(item), enumerable: true, writable: true, configurable: true });
    } else {
      copy[key] = copyJson(item);
    }
  }
  return copy;
}
