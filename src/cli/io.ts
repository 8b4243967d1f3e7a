/** Where a command writes; tests pass buffers, the bin passes the process streams. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

export const EXIT_PASS = 0;
export const EXIT_FAIL = 1;
export const EXIT_USAGE = 2;

/**
 * The bin's streams. A reader that closes the pipe early (`intentproof verify
 * … | head`) makes stdout fail with EPIPE: that is not a failure of the
 * command, so the rest of its output is dropped and it still exits with its
 * verdict's code. Any other stream error is thrown, as without a listener.
 */
export function processIo(stdout: NodeJS.WritableStream = process.stdout, stderr: CliIo["stderr"] = process.stderr): CliIo {
  let closed = false;
  stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    closed = true;
  });
  return {
    stdout: { write: (text: string) => closed || stdout.write(text) },
    stderr,
  };
}
