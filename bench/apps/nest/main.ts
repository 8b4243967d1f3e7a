// One Nest 12 app (Express platform) per process, in the variant named by
// argv[2] (bare | undecorated | decorated). Same IPC protocol as the Express
// bench app: reports its port, then answers the bench's queries.
import "reflect-metadata";
import { NestFactory } from "@nestjs/core";
import type { AddressInfo } from "node:net";
import type { MemoryExporter } from "intentproof";

const variant = process.argv[2];
if (!["bare", "undecorated", "decorated"].includes(variant ?? "")) throw new Error(`unknown nest variant ${variant}`);
const { AppModule, memory } = (await import(`./${variant}.module.js`)) as {
  AppModule: new () => unknown;
  memory: MemoryExporter | undefined;
};

const app = await NestFactory.create(AppModule, { logger: false });
await app.listen(0, "127.0.0.1");
const port = (app.getHttpServer().address() as AddressInfo).port;
process.send!({ type: "listening", port });
// Two folders below bench/ both as source (apps/nest) and compiled (dist/nest).
const { answerBenchQueries } = (await import(new URL("../../http/app-ipc.mjs", import.meta.url).href)) as {
  answerBenchQueries: (memory: MemoryExporter | undefined) => void;
};
answerBenchQueries(memory);
