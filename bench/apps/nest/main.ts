// One Nest 12 app (Express platform) per process, in the variant named by
// argv[2] (bare | undecorated | decorated). Same IPC protocol as the Express
// bench app: reports its port, answers "stats" with the recorded event count.
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
process.on("message", (message) => {
  if (message === "stats") process.send!({ type: "stats", events: memory?.size ?? 0, cpu: process.cpuUsage(), lastEvent: memory?.getEvents().at(-1) });
});
process.on("disconnect", () => process.exit(0));
