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
  const recorded = res as RecordedResponse;
  // Usually json/send come from Express's prototype and two shared functions
  // do. If something already wrapped them on this response (another recorded
  // handler of the same request, a library), its versions are wrapped instead.
  // Own-property checks only: a missed symbol lookup walks Express's whole
  // prototype chain and cost more than the rest of the capture.
  if (!Object.hasOwn(res, "json") && !Object.hasOwn(res, "send")) {
    recorded[RECORDER] = recorder;
    res.json = capturedJson as Response["json"];
    res.send = capturedSend as Response["send"];
    return;
  }
  res.json = capturing(res.json, true, recorder);
  res.send = capturing(res.send, false, recorder);
}

const RECORDER = Symbol("intentproof.bodyRecorder");

interface RecordedResponse extends Response {
  [RECORDER]?: BodyRecorder;
}

type Sender = (this: Response, body?: unknown) => Response;

function take(res: Response, recorder: BodyRecorder | undefined, body: unknown, viaJson: boolean): void {
  if (recorder === undefined || recorder.bodySent) return;
  recorder.recordBody(viaJson ? body : parsedJsonText(body, res, recorder.maxStringLength));
}

function capturedJson(this: RecordedResponse, body?: unknown): Response {
  take(this, this[RECORDER], body, true);
  return Reflect.apply((Object.getPrototypeOf(this) as Response).json, this, arguments) as Response;
}

function capturedSend(this: RecordedResponse, body?: unknown): Response {
  take(this, this[RECORDER], body, false);
  return Reflect.apply((Object.getPrototypeOf(this) as Response).send, this, arguments) as Response;
}

function capturing(original: Sender, viaJson: boolean, recorder: BodyRecorder): Sender {
  return function (this: Response, body?: unknown) {
    take(this, recorder, body, viaJson);
    return Reflect.apply(original, this, arguments) as Response;
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
