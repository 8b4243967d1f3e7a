import type { Response } from "express";

const JSON_MEDIA_TYPE = /\bjson\b/i;

/**
 * Remembers the body a handler sends with `res.json` / `res.send`, on this
 * response only. Express's `res.json` calls `res.send` with the encoded text
 * (and `res.send(object)` calls `res.json`), so only the first call is kept:
 * the value the handler gave, not Express's re-encoding of it.
 */
export class ResponseBodyCapture {
  private captured = false;
  private viaJson = false;
  private body: unknown;

  install(res: Response): void {
    const capture = this;
    const json = res.json;
    const send = res.send;
    res.json = function capturedJson(this: Response, ...args: unknown[]) {
      capture.take(args[0], true);
      return Reflect.apply(json, this, args) as Response;
    };
    res.send = function capturedSend(this: Response, ...args: unknown[]) {
      capture.take(args[0], false);
      return Reflect.apply(send, this, args) as Response;
    };
  }

  private take(body: unknown, viaJson: boolean): void {
    if (this.captured) return;
    this.captured = true;
    this.viaJson = viaJson;
    this.body = body;
  }

  /**
   * The body as the event's `output`: `null` when none was sent; a string
   * sent as JSON is parsed back into its value unless it is too long to be
   * kept anyway (then the serializer truncates the string). Bytes stay bytes
   * and are encoded (bounded) by the serializer.
   */
  output(contentType: unknown, maxStringLength: number): unknown {
    if (!this.captured || this.body === undefined) return null;
    const body = this.body;
    if (
      !this.viaJson &&
      typeof body === "string" &&
      body.length <= maxStringLength &&
      typeof contentType === "string" &&
      JSON_MEDIA_TYPE.test(contentType)
    ) {
      try {
        return JSON.parse(body) as unknown;
      } catch {
        // Labelled JSON but not JSON: keep the text as sent.
      }
    }
    return body;
  }
}
