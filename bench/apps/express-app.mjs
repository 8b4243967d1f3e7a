// The Express bench server, serving the variants argv[2] names (the apps are
// in express-variants.mjs). It may name several ("bare,recorded"): each gets
// its own app (its own request and response prototypes, its own client) on
// its own port, in this one process. Reports its ports over IPC once listening, then
// answers the bench's queries (../http/app-ipc.mjs).
import { answerBenchQueries } from "../http/app-ipc.mjs";
import { buildApp } from "./express-variants.mjs";

function listen(app) {
  return new Promise((resolve) => {
    const server = app.listen(0, "127.0.0.1", () => resolve(server.address().port));
  });
}

const variants = (process.argv[2] ?? "").split(",");
const ports = {};
const memories = [];
for (const variant of variants) {
  const { app, memory } = await buildApp(variant);
  if (memory !== undefined) memories.push(memory);
  ports[variant] = await listen(app);
}
answerBenchQueries(memories);
process.send({ type: "listening", port: ports[variants[0]], ports });
