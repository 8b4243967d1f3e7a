/** Told the status of a response's status line as it is written. */
export interface StatusSentListener {
  recordStatusSent(status: number): void;
}

/**
 * `writeHead`, then `listener` told the status it wrote. `statusCode` may
 * still change after the headers went out (a catch block setting 500 once a
 * stream has started) without reaching the client, so the status sent is
 * noted here; Node writes implicit headers through `writeHead` too.
 */
export function notingStatusSent<W extends (...args: any[]) => unknown>(writeHead: W, listener: StatusSentListener): W {
  return function (this: { statusCode: number }) {
    const result = Reflect.apply(writeHead, this, arguments);
    // Reached only once the status line is stored: writeHead throws otherwise.
    listener.recordStatusSent(this.statusCode);
    return result;
  } as unknown as W;
}
