import { fork } from "node:child_process";
import { repoRoot } from "../lib/child.mjs";

/**
 * Starts a bench app (express-app.mjs or the compiled Nest main.js) in its own
 * process, so the load generator never shares its event loop, and resolves
 * once it listens. `stats()` asks for its counters (events kept, CPU time,
 * GC pause time), `lastEvent()` for the last event it recorded (a copy of
 * all it keeps: not inside a measured round). `execArgv` are the server's
 * Node flags (the bench's own by default); `execPath` what runs it (Node by
 * default; valgrind, given Node's path as the last of `execArgv`).
 */
export function startServer(script, variant, { startTimeoutMs = 30_000, execArgv = process.execArgv, execPath = process.execPath } = {}) {
  return new Promise((resolve, reject) => {
    const child = fork(script, [variant], { cwd: repoRoot, execPath, execArgv, stdio: ["ignore", "ignore", "pipe", "ipc"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${variant}: did not start within ${startTimeoutMs} ms\n${stderr}`));
    }, startTimeoutMs);
    const onExit = (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${variant}: exited with ${code ?? signal} before listening\n${stderr.trim()}`));
    };
    child.once("exit", onExit);
    child.on("message", function onListening(message) {
      if (message?.type !== "listening") return;
      child.off("message", onListening);
      child.off("exit", onExit);
      clearTimeout(timer);
      resolve({
        variant,
        pid: child.pid,
        url: `http://127.0.0.1:${message.port}/refunds`,
        // One per variant when the process serves several (an app each).
        urls: Object.fromEntries(Object.entries(message.ports ?? {}).map(([name, port]) => [name, `http://127.0.0.1:${port}/refunds`])),
        stats: () => ask(child, "stats"),
        lastEvent: async () => (await ask(child, "last-event")).event,
        // What the process allocates between the two, by function (bench/allocation.mjs).
        startHeapSampling: () => askHeapSampling(child, "heap-sampling-start"),
        stopHeapSampling: async () => new Map((await askHeapSampling(child, "heap-sampling-stop")).bytes),
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once("exit", () => done());
            child.kill("SIGTERM");
          }),
        // The app exits by itself when its IPC channel closes (app-ipc.mjs):
        // a normal exit, which is when --cpu-prof writes its profile.
        exitNormally: () =>
          new Promise((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once("exit", () => done());
            child.disconnect();
          }),
      });
    });
  });
}

/** Sends `query` (see ../http/app-ipc.mjs) and resolves with the reply of the same type. */
function ask(child, query) {
  return new Promise((done) => {
    const onReply = (reply) => {
      if (reply?.type !== query) return;
      child.off("message", onReply);
      done(reply);
    };
    child.on("message", onReply);
    child.send(query);
  });
}

/** `ask` for the heap-sampling queries, whose reply may say the inspector failed. */
async function askHeapSampling(child, query) {
  const reply = await ask(child, query);
  if (reply.error !== undefined) throw new Error(`${query}: ${reply.error}`);
  return reply;
}
