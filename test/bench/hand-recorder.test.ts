// The bench's "hand-recorded" variants are the floors that recordRoute's and
// the decorated Nest route's costs are read against (docs/benchmarks.md). A
// floor that made fewer or invalid records would flatter the package: their
// events are checked here against the spec and against the recorded
// variants', field for field, on the bench's own apps.
import "reflect-metadata";
import { NestFactory } from "@nestjs/core";
import type { INestApplication } from "@nestjs/common";
import type { Express } from "express";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { ExecutionEvent } from "../../src/core/types.js";
import { expectValidEvent } from "../support/event-validator.js";
import { serve, waitForEvents, type Served } from "../express/serve.js";

// The bench's own Express apps: plain JavaScript, imported by URL and typed
// here. Its recording variants import the built package, as the Nest bench
// app does.
const { buildApp } = (await import(new URL("../../bench/apps/express-variants.mjs", import.meta.url).href)) as {
  buildApp: (variant: string) => Promise<{ app: Express; memory: ServedVariant["kept"] }>;
};

/** One of the Express bench app's variants, served on 127.0.0.1. */
async function serveExpressVariant(variant: string): Promise<ServedVariant> {
  const { app, memory } = await buildApp(variant);
  const served = await serve(app);
  servers.push(served);
  return { served, kept: memory };
}

async function postRefund(served: Served, orderId: string): Promise<string> {
  const response = await fetch(`${served.url}/refunds`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ orderId, amountCents: 1250 }),
  });
  expect(response.status).toBe(201);
  expect(await response.json()).toEqual({ refundId: `rf_${orderId}`, amountCents: 1250 });
  return response.headers.get("x-intentproof-correlation-id")!;
}

/** An event's shape: its keys, its attributes' keys and its inputs' keys, in order. */
function shapeOf(event: ExecutionEvent): unknown {
  return {
    keys: Object.keys(event),
    attributes: event.attributes === undefined ? undefined : Object.keys(event.attributes),
    inputs: Object.keys(event.inputs),
  };
}

/** An event but for its ids and clocks. */
const comparable = ({ id, correlationId, startedAt, completedAt, durationMs, ...rest }: ExecutionEvent) => rest;

const servers: Served[] = [];
const nestApps: INestApplication[] = [];
afterEach(async () => {
  await Promise.all([...servers.splice(0).map((s) => s.close()), ...nestApps.splice(0).map((a) => a.close())]);
});

/** One of the Nest bench app's variants (bench/apps/nest), served on 127.0.0.1 as its main.ts serves it. */
async function serveNestVariant(variant: string): Promise<ServedVariant> {
  const { AppModule, memory, prepare } = (await import(`../../bench/apps/nest/${variant}.module.ts`)) as {
    AppModule: new () => unknown;
    memory: ServedVariant["kept"];
    prepare?: (app: INestApplication) => void;
  };
  const app = await NestFactory.create(AppModule, { logger: false });
  nestApps.push(app);
  prepare?.(app);
  await app.listen(0, "127.0.0.1");
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { served: { url: `http://127.0.0.1:${port}`, server: app.getHttpServer(), close: async () => {} }, kept: memory };
}

interface ServedVariant {
  served: Served;
  kept: { getEvents(): ExecutionEvent[]; readonly size: number };
}

/**
 * Two requests to the floor and one to the recorded variant: every event is
 * valid (the shared schema and semantic checks), the floor's four are two per
 * request (the service's, then the route's) with the id the client got, and
 * equal to the recorded variant's but for ids and clocks.
 */
async function expectFloorMatches(hand: ServedVariant, recorded: ServedVariant): Promise<void> {
  const keptBefore = hand.kept.size;
  const handIds = [await postRefund(hand.served, "o1"), await postRefund(hand.served, "o2")];
  await postRefund(recorded.served, "o1");
  const handEvents = (await waitForEvents(hand.kept, keptBefore + 4)).slice(keptBefore);
  const [recordedService, recordedRoute] = await waitForEvents(recorded.kept, 2);

  expect(handEvents).toHaveLength(4);
  for (const event of [...handEvents, recordedService, recordedRoute]) expectValidEvent(event);
  expect(handEvents.map((e) => [e.action, e.correlationId])).toEqual([
    ["payments.refund", handIds[0]],
    ["refunds.create", handIds[0]],
    ["payments.refund", handIds[1]],
    ["refunds.create", handIds[1]],
  ]);
  const [handService, handRoute] = handEvents;
  expect(shapeOf(handService!)).toEqual(shapeOf(recordedService!));
  expect(shapeOf(handRoute!)).toEqual(shapeOf(recordedRoute!));
  expect(comparable(handService!)).toEqual(comparable(recordedService!));
  expect(comparable(handRoute!)).toEqual(comparable(recordedRoute!));
}

describe("the bench's hand-written recorder (the recorded routes' floor)", () => {
  it("Express: makes the recorded variant's two events per request: valid, correlated, with the same fields and values", async () => {
    const recorded = await serveExpressVariant("recorded");
    const hand = await serveExpressVariant("hand-recorded");
    await expectFloorMatches(hand, recorded);
  });

  it("Nest: makes the decorated variant's two events per request, the same way", async () => {
    const decorated = await serveNestVariant("decorated");
    const hand = await serveNestVariant("hand-recorded");
    await expectFloorMatches(hand, decorated);
  });
});
