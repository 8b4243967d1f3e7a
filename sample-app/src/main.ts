import "reflect-metadata";
import type { AddressInfo } from "node:net";
import { NestFactory } from "@nestjs/core";
import type { SampleExporters } from "../shared/exporters-from-env.js";
import { HOST, portFromEnv, startupBanner } from "../shared/startup.js";
import { AppModule } from "./app.module.js";
import { SAMPLE_EXPORTERS } from "./telemetry/telemetry.module.js";

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule, { logger: ["error", "warn"] });
  // On SIGINT/SIGTERM the IntentProof module shuts its client down, which
  // drains the collector queue and closes the events file.
  app.enableShutdownHooks();
  await app.listen(portFromEnv(process.env, 3000), HOST);
  const { port } = app.getHttpServer().address() as AddressInfo;
  process.stdout.write(startupBanner("NestJS", `http://${HOST}:${port}`, app.get<SampleExporters>(SAMPLE_EXPORTERS)));
}

bootstrap().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
