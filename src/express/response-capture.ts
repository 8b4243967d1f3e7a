import type { Response } from "express";

const JSON_MEDIA_TYPE = /\bjson\b/i;

/** Receives the body a handler sends, at the moment it is sent. */
export interface BodyRecorder {
  /** Only the first body counts; later ones (Express's own re-encoding) are not even looked at. */
  readonly bodySent: boolean;
  recordBody(body: unknown): void;
  /** Longer strings are not parsed back from JSON (the serializer truncates them anyway). */
  readonly maxStringLength: number;
}

/**
 * Hands `recorder` the body a handler sends with `res.json` / `res.send`, on
 * this response only, at the moment it is sent: a handler that mutates the
 * object or Buffer afterwards does not change the record. Express's
 * `res.json` calls `res.send` with the encoded text (and `res.send(object)`
 * calls `res.json`), so the recorder keeps only the first call: the value the
 * handler gave, not Express's re-encoding of it.
 */
export function installBodyCapture(res: Response, recorder: BodyRecorder): void {
  const json = res.json;
  const send = res.send;
  res.json = function capturedJson(this: Response, body?: unknown) {
    if (!recorder.bodySent) recorder.recordBody(body);
    return Reflect.apply(json, this, arguments) as Response;
  };
  res.send = function capturedSend(this: Response, body?: unknown) {
    if (!recorder.bodySent) recorder.recordBody(parsedJsonText(body, this, recorder.maxStringLength));
    return Reflect.apply(send, this, arguments) as Response;
  };
}

/**
 * A string sent with a JSON content type is recorded as the value it encodes
 * (the content type is set before `send`, or `send` picks text/html).
 * Labelled JSON but not JSON: the text as sent.
 */
function parsedJsonText(body: unknown, res: Response, maxStringLength: number): unknown {
  if (typeof body !== "string" || body.length > maxStringLength) return body;
  const contentType = res.getHeader("content-type");
  if (typeof contentType !== "string" || !JSON_MEDIA_TYPE.test(contentType)) return body;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}
