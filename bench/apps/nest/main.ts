// Nest 12 apps (Express platform) for the HTTP bench, one per variant named by
// argv[2] (bare | undecorated | decorated | hand-recorded, the last a floor
// with no IntentProof: see hand-recorded.module.ts). argv[2] may name several
// ("bare,decorated"): each is its own application on its own port, in this
// one process. Same IPC protocol as the Express bench app: reports its ports,
// then answers the bench's queries.
import "reflect-metadata";
import { NestFactory } from "@nestjs/core";
import type { AddressInfo } from "node:net";
import type { INestApplication } from "@nestjs/common";
import type { MemoryExporter } from "intentproof";

// Two folders below bench/ both as source (apps/nest) and compiled (dist/nest).
const { answerBenchQueries } = (await import(new URL("../../http/app-ipc.mjs", import.meta.url).href)) as {
  answerBenchQueries: (memories: MemoryExporter[]) => void;
};

const variants = (process.argv[2] ?? "").split(",");
const ports: Record<string, number> = {};
const memories: MemoryExporter[] = [];
for (const variant of variants) {
  if (!["bare", "undecorated", "decorated", "hand-recorded"].includes(variant)) throw new Error(`unknown nest variant ${variant}`);
  const { AppModule, memory, prepare } = (await import(`./${variant}.module.js`)) as {
    AppModule: new () => unknown;
    memory: MemoryExporter | undefined;
    prepare?: (app: INestApplication) => void;
  };
  if (memory !== undefined) memories.push(memory);
  const app = await NestFactory.create(AppModule, { logger: false });
  prepare?.(app);
  await app.listen(0, "127.0.0.1");
  ports[variant] = (app.getHttpServer().address() as AddressInfo).port;
}
answerBenchQueries(memories);
process.send!({ type: "listening", port: ports[variants[0]!], ports });
