import { fork } from "node:child_process";
import { repoRoot } from "../lib/child.mjs";

/**
 * Starts a bench app (express-app.mjs or the compiled Nest main.js) in its own
 * process, so the load generator never shares its event loop, and resolves
 * once it listens. `stats()` asks it how many events it recorded.
 */
export function startServer(script, variant, { startTimeoutMs = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = fork(script, [variant], { cwd: repoRoot, stdio: ["ignore", "ignore", "pipe", "ipc"] });
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
        url: `http://127.0.0.1:${message.port}/refunds`,
        stats: () =>
          new Promise((done) => {
            const onStats = (reply) => {
              if (reply?.type !== "stats") return;
              child.off("message", onStats);
              done(reply);
            };
            child.on("message", onStats);
            child.send("stats");
          }),
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once("exit", () => done());
            child.kill("SIGTERM");
          }),
      });
    });
  });
}
