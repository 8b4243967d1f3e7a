// Boots the Nest app and a plain Express app on 127.0.0.1:0, sends one
// request to each with a correlation header, prints a one-line JSON summary
// on stdout and exits. test/compat/nest11-ts.test.ts builds and runs it.
import "reflect-metadata";
import type { AddressInfo } from "node:net";
import { createServer, type Server } from "node:http";
import { NestFactory } from "@nestjs/core";
import * as core from "intentproof";
import { AppModule } from "./app.module";
import { createExpressApp, expressClient } from "./express-app";
import { records } from "./records";

const HEADER = core.DEFAULT_CORRELATION_HEADER;

async function send(port: number, method: string, path: string, id: string, body?: unknown) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { [HEADER]: id, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, echoedHeader: response.headers.get(HEADER), body: (await response.json()) as unknown };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

async function bootstrap(): Promise<void> {
  const nest = await NestFactory.create(AppModule, { logger: false });
  await nest.listen(0, "127.0.0.1");
  const nestPort = (nest.getHttpServer().address() as AddressInfo).port;
  const refund = await send(nestPort, "POST", "/refunds", "nest11-ts-0001", { paymentIntentId: "pi_123", amountCents: 500 });

  const expressServer = createServer(createExpressApp());
  const order = await send(await listen(expressServer), "GET", "/orders/ORD-7", "express-ts-0001");
  await expressClient.flush();
  await nest.close();
  await new Promise((resolve) => expressServer.close(resolve));

  // The ESM view of the same package (esm-view.mjs imports it), loaded here through require(esm).
  const esm = require("../esm-view.mjs") as { core: typeof core };
  const summary = {
    typescript: process.env.FIXTURE_TYPESCRIPT ?? "",
    intentproofPath: require.resolve("intentproof"),
    nestCommonVersion: (require("@nestjs/common/package.json") as { version: string }).version,
    sameClassAcrossImportAndRequire: esm.core.IntentProofClient === core.IntentProofClient && esm.core.client === core.client,
    instanceofAcrossImportAndRequire: expressClient instanceof esm.core.IntentProofClient,
    refund,
    order,
    events: records.getEvents(),
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

bootstrap().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
