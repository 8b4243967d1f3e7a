/**
 * A deliberately dumb HTTP/1.1 client over a raw TCP socket, so tests can
 * send what `node:http` refuses to: control characters, non-ASCII bytes,
 * repeated headers, odd spacing.
 */
import { connect } from "node:net";

export interface RawResponse {
  status: number;
  /** Lower-cased header names; every occurrence kept in order. */
  headers: Record<string, string[]>;
  body: string;
}

/** One header line: the name and the value's exact bytes (a string is taken as latin1, byte for byte). */
export type RawHeader = [name: string, value: string | Buffer];

/** Sends one request with `Connection: close` and reads the whole answer. */
export function rawRequest(port: number, method: string, path: string, headers: RawHeader[]): Promise<RawResponse> {
  const parts: Buffer[] = [Buffer.from(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n`, "latin1")];
  for (const [name, value] of headers) {
    parts.push(Buffer.from(`${name}: `, "latin1"), typeof value === "string" ? Buffer.from(value, "latin1") : value, Buffer.from("\r\n", "latin1"));
  }
  parts.push(Buffer.from("\r\n", "latin1"));
  const request = Buffer.concat(parts);

  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error("raw request timed out")));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      try {
        resolve(parseResponse(Buffer.concat(chunks)));
      } catch (error) {
        reject(error);
      }
    });
    socket.write(request);
  });
}

function parseResponse(raw: Buffer): RawResponse {
  const text = raw.toString("latin1");
  const headEnd = text.indexOf("\r\n\r\n");
  if (headEnd < 0) throw new Error(`incomplete HTTP response: ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine, ...lines] = text.slice(0, headEnd).split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? "")?.[1]);
  const headers: Record<string, string[]> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).trim().toLowerCase();
    (headers[name] ??= []).push(line.slice(colon + 1).trim());
  }
  // latin1 keeps one character per byte, so chunk sizes (in bytes) line up.
  let body = text.slice(headEnd + 4);
  if (headers["transfer-encoding"]?.includes("chunked")) body = dechunk(body);
  return { status, headers, body: Buffer.from(body, "latin1").toString("utf8") };
}

function dechunk(body: string): string {
  let out = "";
  let rest = body;
  for (;;) {
    const lineEnd = rest.indexOf("\r\n");
    if (lineEnd < 0) return out;
    const size = parseInt(rest.slice(0, lineEnd), 16);
    if (!(size > 0)) return out;
    out += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
}
