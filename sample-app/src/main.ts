import "reflect-metadata";
import type { AddressInfo } from "node:net";
import { NestFactory } from "@nestjs/core";
import type { SampleExporters } from "../shared/exporters-from-env.js";
import { HOST, portFromEnv, startupBanner, startupFailure } from "../shared/startup.js";
import { AppModule } from "./app.module.js";
import { SAMPLE_EXPORTERS } from "./telemetry/telemetry.module.js";

const port = portFromEnv(process.env, 3000);

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule, { logger: ["error", "warn"] });
  // On SIGINT/SIGTERM the IntentProof module shuts its client down, which
  // drains the collector queue and closes the events file.
  app.enableShutdownHooks();
  await app.listen(port, HOST);
  const bound = (app.getHttpServer().address() as AddressInfo).port;
  process.stdout.write(startupBanner("NestJS", `http://${HOST}:${bound}`, app.get<SampleExporters>(SAMPLE_EXPORTERS)));
}

bootstrap().catch((error: unknown) => {
  console.error(startupFailure(error, port));
  process.exit(1);
});
