/**
 * Small Nest apps (Express platform, 127.0.0.1, port 0) for the reliability
 * tests, built on the public Nest entry. The classes are declared inside the
 * factories so each app gets fresh ones bound to its own client.
 */
import { Body, Controller, Get, Inject, Injectable, Module, Post } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import { ExpressAdapter } from "@nestjs/platform-express";
import type { INestApplication } from "@nestjs/common";
import type { Exporter, IntentProofConfig } from "../../../src/index.js";
import { CorrelationId, IntentProof, IntentProofModule } from "../../../src/nestjs.js";
import { CheckedExporter } from "../../support/event-validator.js";

export interface RunningApp {
  app: INestApplication;
  port: number;
  url: string;
  close(): Promise<void>;
}

async function listen(module: object): Promise<RunningApp> {
  const app = await NestFactory.create(module as never, new ExpressAdapter(), { logger: false });
  await app.listen(0, "127.0.0.1");
  const address = app.getHttpServer().address() as { port: number };
  let closing: Promise<void> | undefined;
  return {
    app,
    port: address.port,
    url: `http://127.0.0.1:${address.port}`,
    close: () => (closing ??= app.close()),
  };
}

/** GET /echo answers `{ id }`, the correlation id the handler saw; one event per request. */
export async function startNestEchoApp(): Promise<{ port: number; checked: CheckedExporter; close(): Promise<void> }> {
  const checked = new CheckedExporter();

  @Controller()
  class EchoController {
    @Get("echo")
    @IntentProof({ intent: "Echo the correlation id", action: "echo" })
    echo(@CorrelationId() id: string) {
      return { id: id ?? null };
    }
  }

  @Module({
    imports: [IntentProofModule.forRoot({ exporters: [checked], onExporterError: () => undefined })],
    controllers: [EchoController],
  })
  class EchoModule {}

  const running = await listen(EchoModule);
  return { port: running.port, checked, close: running.close };
}

export const ORDER_EVENTS_PER_REQUEST = 2;

/**
 * POST /orders records two events per request: the controller handler and
 * the service method it calls. Exporters are the caller's.
 */
export async function startNestOrdersApp(config: Pick<IntentProofConfig, "exporters" | "onExporterError"> & {
  exporters: Exporter[];
}): Promise<RunningApp> {
  @Injectable()
  class OrdersService {
    @IntentProof({ intent: "Reserve stock for the order", action: "inventory.reserve" })
    async reserve(sku: string, quantity: number) {
      await new Promise((resolve) => setImmediate(resolve));
      return { sku, quantity, reserved: true };
    }
  }

  @Controller("orders")
  class OrdersController {
    constructor(@Inject(OrdersService) private readonly orders: OrdersService) {}

    @Post()
    @IntentProof({ intent: "Place an order", action: "orders.create" })
    async create(@Body() body: { sku: string; quantity: number }) {
      const reservation = await this.orders.reserve(body.sku, body.quantity);
      return { ok: true, reservation };
    }
  }

  @Module({
    imports: [IntentProofModule.forRoot(config)],
    controllers: [OrdersController],
    providers: [OrdersService],
  })
  class OrdersModule {}

  return listen(OrdersModule);
}
