import type { Response } from "express";
import { bytesValue, textBodyValue } from "../core/http/body-written.js";
import { notingStatusSent, type StatusSentListener } from "../core/http/status-sent.js";
import { heldForResponse, holdForResponse } from "./request-scope.js";

/** Receives what a handler's response sends, at the moment it is sent: its body and its status line. */
export interface ResponseRecorder extends StatusSentListener {
  /** Only the first body counts; later ones are not even looked at. */
  readonly bodySent: boolean;
  recordBody(body: unknown): void;
  /** Whether it wants the value the handler gave (for a `captureOutput` hook) rather than the body as encoded. */
  readonly takesGivenValue: boolean;
  readonly maxStringLength: number;
}

/**
 * Hands `recorder` what this response sends, at the moment it is sent.
 *
 * The body as `res.send` gets it: the text Express's `res.json` and
 * `res.jsonp` encoded (`res.send(object)` goes through `res.json`), with
 * every `toJSON` and the app's `json replacer` applied once, by Express, a
 * string, or bytes. A handler that mutates its object afterwards does not
 * change the record. A `captureOutput` hook instead gets the value given to
 * `res.json` / `res.send`, as its type says.
 *
 * The status of the status line, from `writeHead` (Node sends implicit
 * headers through it too): `statusCode` can still be changed after the
 * headers went out, without reaching the client.
 */
export function installResponseCapture(res: Response, recorder: ResponseRecorder): void {
  // Own-property checks only: a missed symbol lookup walks Express's whole
  // prototype chain and cost more than the rest of the capture.
  if (!Object.hasOwn(res, "json") && !Object.hasOwn(res, "send")) {
    // Usually json/send/writeHead come from the app's response prototype:
    // they are captured there, once per app, and the recorder rides in the
    // request's state. The response gains no property (on Node 20 each
    // property added to an Express response copied its whole map: about 5 µs apiece).
    if (capturesOnPrototype(Object.getPrototypeOf(res)) && holdForResponse(res.req, recorder)) {
      // A middleware that watches the headers (morgan, compression: on-headers)
      // gave this response a writeHead of its own, which may call Node's
      // directly; it is reassigned, not added.
      if (Object.hasOwn(res, "writeHead")) res.writeHead = notingStatusSent(res.writeHead, recorder);
      return;
    }
    (res as RecordedResponse)[RECORDER] = recorder;
    res.json = capturedJson as Response["json"];
    res.send = capturedSend as Response["send"];
    res.writeHead = capturedWriteHead as Response["writeHead"];
    return;
  }
  // Something already wrapped them on this response (another recorded
  // handler of the same request, a library): its versions are wrapped instead.
  res.json = capturing(res.json, true, recorder);
  res.send = capturing(res.send, false, recorder);
  res.writeHead = notingStatusSent(res.writeHead, recorder);
}

const RECORDER = Symbol("intentproof.bodyRecorder");
const PROTOTYPE_CAPTURE = Symbol("intentproof.prototypeCapture");

interface RecordedResponse extends Response {
  [RECORDER]?: ResponseRecorder;
}

type Sender = (this: Response, body?: unknown) => Response;
type WriteHead = Response["writeHead"];

interface CapturingPrototype {
  json?: unknown;
  send?: unknown;
  app?: unknown;
  writeHead?: unknown;
  [PROTOTYPE_CAPTURE]?: { json: Sender; send: Sender; writeHead: WriteHead };
}

/**
 * Whether `proto`'s json/send/writeHead hand the body and the status sent to
 * the recorder its response's request holds, capturing them now if need be. Only an Express app's own
 * response prototype (`app.response`, which has an own `app`) is touched;
 * a capture something has since replaced is not relied on.
 */
function capturesOnPrototype(proto: CapturingPrototype | null): boolean {
  if (proto === null) return false;
  const installed = Object.hasOwn(proto, PROTOTYPE_CAPTURE) ? proto[PROTOTYPE_CAPTURE] : undefined;
  if (installed !== undefined) {
    return proto.json === installed.json && proto.send === installed.send && proto.writeHead === installed.writeHead;
  }
  const { json, send, writeHead } = proto;
  if (!Object.hasOwn(proto, "app") || typeof json !== "function" || typeof send !== "function" || typeof writeHead !== "function") {
    return false;
  }
  const capture = {
    json: heldCapture(json as Sender, true),
    send: heldCapture(send as Sender, false),
    writeHead: heldStatusCapture(writeHead as WriteHead),
  };
  proto.json = capture.json;
  proto.send = capture.send;
  proto.writeHead = capture.writeHead;
  Object.defineProperty(proto, PROTOTYPE_CAPTURE, { value: capture });
  return true;
}

/** `original`, first handing the body to the recorder held for the response (none: a plain call). */
function heldCapture(original: Sender, viaJson: boolean): Sender {
  return function (this: Response, body?: unknown) {
    take(this, heldForResponse(this) as ResponseRecorder | undefined, body, viaJson);
    return Reflect.apply(original, this, arguments) as Response;
  };
}

/** `original`, then the status it sent handed to the recorder held for the response. */
function heldStatusCapture(original: WriteHead): WriteHead {
  return function (this: Response) {
    const result = Reflect.apply(original, this, arguments) as Response;
    // Reached only when the status line was stored: writeHead throws otherwise.
    (heldForResponse(this) as ResponseRecorder | undefined)?.recordStatusSent(this.statusCode);
    return result;
  } as WriteHead;
}

function take(res: Response, recorder: ResponseRecorder | undefined, body: unknown, viaJson: boolean): void {
  if (recorder === undefined || recorder.bodySent) return;
  if (recorder.takesGivenValue) {
    recorder.recordBody(viaJson ? body : sentValueForHook(body, res, recorder.maxStringLength));
  } else if (!viaJson && !encodedByJson(body)) {
    recorder.recordBody(body);
  }
}

/** Whether `res.send` hands `body` to `res.json`, whose text then comes back to `res.send`. */
function encodedByJson(body: unknown): boolean {
  return typeof body === "object" ? body !== null && !ArrayBuffer.isView(body) : typeof body === "number" || typeof body === "boolean";
}

function capturedJson(this: RecordedResponse, body?: unknown): Response {
  take(this, this[RECORDER], body, true);
  return Reflect.apply((Object.getPrototypeOf(this) as Response).json, this, arguments) as Response;
}

function capturedSend(this: RecordedResponse, body?: unknown): Response {
  take(this, this[RECORDER], body, false);
  return Reflect.apply((Object.getPrototypeOf(this) as Response).send, this, arguments) as Response;
}

function capturedWriteHead(this: RecordedResponse): Response {
  const result = Reflect.apply((Object.getPrototypeOf(this) as Response).writeHead, this, arguments) as Response;
  this[RECORDER]?.recordStatusSent(this.statusCode);
  return result;
}

function capturing(original: Sender, viaJson: boolean, recorder: ResponseRecorder): Sender {
  return function (this: Response, body?: unknown) {
    take(this, recorder, body, viaJson);
    return Reflect.apply(original, this, arguments) as Response;
  };
}

/**
 * For a hook, what res.send's body stands for, as the record would read it:
 * text, and bytes under a JSON or text type, the value the text stands for
 * (see textBodyValue, bytesValue); so a hook that returns what it got
 * records no more than no hook would.
 */
function sentValueForHook(body: unknown, res: Response, maxStringLength: number): unknown {
  const contentType = res.getHeader("content-type");
  if (typeof body === "string") return textBodyValue(body, contentType, maxStringLength);
  if (ArrayBuffer.isView(body)) return bytesValue(body, contentType, maxStringLength) ?? body;
  return body;
}
