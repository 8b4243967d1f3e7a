import express, { type Express, type NextFunction, type Request, type Response } from "express";
import { createIntentProofClient, type IntentProofClient } from "../../src/index.js";
import { intentproof } from "../../src/express.js";
import type { ExecutionEvent } from "../../src/core/types.js";
import type { IntentProofConfig } from "../../src/core/types.js";
import { CheckedExporter } from "../support/event-validator.js";
import { serve, waitForEvents, type Served } from "./serve.js";

/** Servers started by a test file; close them in its afterEach. */
export const servers: Served[] = [];

export async function closeServers(): Promise<void> {
  await Promise.all(servers.splice(0).map((s) => s.close()));
}

export function checkedClient(config?: IntentProofConfig): { client: IntentProofClient; exporter: CheckedExporter } {
  const exporter = new CheckedExporter();
  return { client: createIntentProofClient({ ...config, exporters: [exporter] }), exporter };
}

export async function start(app: Express): Promise<string> {
  const served = await serve(app);
  servers.push(served);
  return served.url;
}

/** express.json + intentproof({ client }) + `routes`, plus an error handler answering `{ error }` with 500 when it still can. */
export async function startApp(client: IntentProofClient, routes: (app: Express) => void): Promise<string> {
  const app = express();
  app.use(express.json());
  app.use(intentproof({ client }));
  routes(app);
  app.use((error: Error, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    res.status(500).json({ error: error.message });
  });
  return start(app);
}

export async function oneEvent(exporter: CheckedExporter): Promise<ExecutionEvent> {
  const events = await waitForEvents(exporter, 1);
  if (events.length !== 1) throw new Error(`expected one event, got ${events.length}`);
  return events[0]!;
}
