import type { Response } from "express";

const JSON_MEDIA_TYPE = /\bjson\b/i;

/** Turns the body a handler sent into the event's `output`, at the moment it is sent. */
export type OutputRecorder = (body: unknown) => unknown;

/**
 * Records the body a handler sends with `res.json` / `res.send`, on this
 * response only, at the moment it is sent: a handler that mutates the object
 * or Buffer afterwards does not change the record. Express's `res.json` calls
 * `res.send` with the encoded text (and `res.send(object)` calls `res.json`),
 * so only the first call counts: the value the handler gave, not Express's
 * re-encoding of it.
 */
export class ResponseBodyCapture {
  private captured = false;
  private output: unknown = null;

  constructor(
    private readonly record: OutputRecorder,
    private readonly maxStringLength: number,
  ) {}

  install(res: Response): void {
    const capture = this;
    const json = res.json;
    const send = res.send;
    res.json = function capturedJson(this: Response, ...args: unknown[]) {
      capture.take(args[0], true, this);
      return Reflect.apply(json, this, args) as Response;
    };
    res.send = function capturedSend(this: Response, ...args: unknown[]) {
      capture.take(args[0], false, this);
      return Reflect.apply(send, this, args) as Response;
    };
  }

  /** The recorded output: `null` when no body was sent with `res.json` / `res.send`. */
  get recorded(): unknown {
    return this.output;
  }

  private take(body: unknown, viaJson: boolean, res: Response): void {
    if (this.captured) return;
    this.captured = true;
    if (body === undefined) return;
    this.output = this.record(viaJson ? body : parsedJsonText(body, res, this.maxStringLength));
  }
}

/**
 * A string sent with a JSON content type is recorded as the value it encodes
 * (the content type is set before `send`, or `send` picks text/html).
 * Labelled JSON but not JSON: the text as sent.
 */
function parsedJsonText(body: unknown, res: Response, maxStringLength: number): unknown {
  // Too long to be kept anyway: left as text for the serializer to truncate.
  if (typeof body !== "string" || body.length > maxStringLength) return body;
  const contentType = res.getHeader("content-type");
  if (typeof contentType !== "string" || !JSON_MEDIA_TYPE.test(contentType)) return body;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}
