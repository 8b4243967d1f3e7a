// The same end-to-end spec on both platforms: a real Nest application on
// 127.0.0.1, real HTTP requests, every event checked by CheckedExporter.
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IntentProofClient } from "../../src/index.js";
import { CheckedExporter, isUuidV4 } from "../support/event-validator.js";
import {
  LedgerService,
  OrdersController,
  ordersAppModule,
  PaymentsService,
  probes,
} from "./fixtures/orders-app.js";
import { PLATFORMS, startApp, type RunningApp } from "./fixtures/platforms.js";
import { byAction, eventsOf, waitFor } from "./fixtures/wait.js";

const HEADER = "x-intentproof-correlation-id";
let sequence = 0;
const uniqueId = (label: string) => `${label}-${process.pid}-${++sequence}`;

describe.each(PLATFORMS)("Nest pipeline on %s", (platform) => {
  const exporter = new CheckedExporter();
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp(platform, ordersAppModule(exporter));
  });
  afterAll(async () => {
    await running?.close();
  });

  function send(path: string, init: RequestInit & { id?: string } = {}) {
    const headers = new Headers(init.headers);
    if (init.id !== undefined) headers.set(HEADER, init.id);
    return fetch(running.url + path, { ...init, headers });
  }

  function postOrder(body: unknown, id?: string, extraHeaders: Record<string, string> = {}) {
    return send("/orders", {
      method: "POST",
      id,
      headers: { "content-type": "application/json", ...extraHeaders },
      body: JSON.stringify(body),
    });
  }

  it("injects real instances: decorator metadata is emitted and IntentProofClient is the module's", () => {
    const controller = running.app.get(OrdersController);
    expect(controller.payments).toBeInstanceOf(PaymentsService);
    expect(controller.payments.ledger).toBeInstanceOf(LedgerService);
    const client = running.app.get(IntentProofClient);
    expect(controller.intentproof).toBe(client);
    expect(client.exporters).toEqual([exporter]);
  });

  it("records the controller and two services of one request as three events sharing the inbound id", async () => {
    const id = uniqueId("order");
    const response = await postOrder({ customer: "ada", amountCents: 1250 }, id);
    expect(response.status).toBe(201);
    expect(response.headers.get(HEADER)).toBe(id);
    const body = await response.json();
    expect(body).toMatchObject({ orderId: "order-1250", correlationId: id, validated: true });

    const events = await eventsOf(exporter, id, 3);
    expect(events.map((event) => event.action).sort()).toEqual(["ledger.record", "orders.create", "payments.charge"]);
    const handler = byAction(events, "orders.create");
    expect(handler.status).toBe("ok");
    expect(handler.intent).toBe("Place an order");
    expect(handler.inputs).toEqual({ 0: { customer: "ada", amountCents: 1250 }, 1: id });
    expect(handler.output).toEqual(body);
    expect(handler.attributes).toEqual({ "http.method": "POST", "http.route": "/orders", "http.status_code": 201 });
    const charge = byAction(events, "payments.charge");
    expect(charge.inputs).toEqual({ 0: "ada", 1: 1250 });
    expect(charge.output).toEqual({ charged: 1250, entry: "ada:1250" });
    expect(charge.attributes?.["http.method"]).toBeUndefined(); // http.* belong to the handler's event only
    expect(byAction(events, "ledger.record").output).toEqual({ entry: "ada:1250" });
  });

  it("generates a UUID v4 when the header is missing or unacceptable, and echoes it", async () => {
    for (const inbound of [undefined, "   ", "x".repeat(129), "bad\u00e9id"]) {
      const response = await send("/orders/7", { headers: inbound === undefined ? {} : { [HEADER]: inbound } });
      expect(response.status).toBe(200);
      const echoed = response.headers.get(HEADER);
      expect(isUuidV4(echoed)).toBe(true);
      const [event] = await eventsOf(exporter, echoed!, 1);
      expect(event!.action).toBe("orders.find");
      expect(event!.attributes).toEqual({ "http.method": "GET", "http.route": "/orders/:id", "http.status_code": 200 });
    }
  });

  it("trims an inbound id", async () => {
    const id = uniqueId("trim");
    const response = await send("/orders/8", { headers: { [HEADER]: `  ${id}\t` } });
    expect(response.headers.get(HEADER)).toBe(id);
    expect((await eventsOf(exporter, id, 1))[0]!.inputs).toEqual({ 0: "8" });
  });

  it("records a NotFoundException as error.code 404 with the exception's class name", async () => {
    const id = uniqueId("missing");
    const response = await send("/orders/missing", { id });
    expect(response.status).toBe(404);
    const [event] = await eventsOf(exporter, id, 1);
    expect(event!.status).toBe("error");
    expect(event!.error).toMatchObject({ name: "NotFoundException", code: "404", message: "order missing not found" });
    expect(event!.attributes).toMatchObject({ "http.status_code": 404, "http.route": "/orders/:id" });
  });

  it("records any other error as a 500 with the error's own name", async () => {
    const id = uniqueId("crash");
    const response = await send("/orders/crash", { id });
    expect(response.status).toBe(500);
    const [event] = await eventsOf(exporter, id, 1);
    expect(event!.status).toBe("error");
    expect(event!.error).toMatchObject({ name: "Error", message: "boom" });
    expect(event!.error?.code).toBeUndefined();
    expect(event!.attributes?.["http.status_code"]).toBe(500);
  });

  it("settles an Observable handler when it completes, with the last value as output", async () => {
    const id = uniqueId("stream");
    const response = await send("/orders/stream/values", { id });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("20");
    const [event] = await eventsOf(exporter, id, 1);
    expect(event!.status).toBe("ok");
    // As the client got it: Nest's Express adapter sends a number as text, Fastify as JSON.
    expect(event!.output).toBe(platform === "express" ? "20" : 20);
    expect(event!.attributes).toEqual({ "http.method": "GET", "http.route": "/orders/stream/values", "http.status_code": 200 });
  });

  it("records a request the ValidationPipe refuses as an error event, without running the handler", async () => {
    const id = uniqueId("invalid");
    const response = await postOrder({ customer: "", amountCents: -5 }, id);
    expect(response.status).toBe(400);
    const events = await eventsOf(exporter, id, 1);
    expect(events).toHaveLength(1); // the services never ran
    const [event] = events;
    expect(event!.action).toBe("orders.create");
    expect(event!.status).toBe("error");
    expect(event!.error).toMatchObject({ name: "BadRequestException", code: "400" });
    expect(event!.inputs).toEqual({ body: { customer: "", amountCents: -5 } });
    expect(event!.attributes).toEqual({ "http.method": "POST", "http.route": "/orders", "http.status_code": 400 });
  });

  it("records a request a method guard refuses", async () => {
    const id = uniqueId("guarded");
    const response = await send("/orders/guarded", { id });
    expect(response.status).toBe(403);
    const [event] = await eventsOf(exporter, id, 1);
    expect(event!.action).toBe("orders.guarded");
    expect(event!.status).toBe("error");
    // The exception Nest throws for a guard returning false, seen on its way to the filters.
    expect(event!.error).toMatchObject({ name: "ForbiddenException", code: "403", message: "Forbidden resource" });
    // No params, query or body: the same on both platforms (Fastify's key-less params count as empty).
    expect(event!.inputs).toEqual({});
    expect(event!.attributes).toEqual({ "http.method": "GET", "http.route": "/orders/guarded", "http.status_code": 403 });
  });

  it("records a refusal another method filter answers with the exception's class and the status sent", async () => {
    const id = uniqueId("teapot");
    const response = await send("/orders/teapot", { id });
    expect(response.status).toBe(418);
    const [event] = await eventsOf(exporter, id, 1);
    expect(event!.action).toBe("orders.teapot");
    expect(event!.error).toMatchObject({ name: "ForbiddenException", code: "418", message: "Forbidden resource" });
    expect(event!.attributes).toEqual({ "http.method": "GET", "http.route": "/orders/teapot", "http.status_code": 418 });
  });

  it("records a request the application's own global guard refuses", async () => {
    const id = uniqueId("denied");
    const response = await send("/orders/admin", { id, method: "POST", headers: { "x-deny": "1" } });
    expect(response.status).toBe(403);
    const [event] = await eventsOf(exporter, id, 1);
    expect(event!.action).toBe("orders.admin");
    expect(event!.error?.code).toBe("403");

    const allowed = uniqueId("allowed");
    expect((await send("/orders/admin", { id: allowed, method: "POST" })).status).toBe(201);
    const [ok] = await eventsOf(exporter, allowed, 1);
    expect(ok!.status).toBe("ok");
    expect(ok!.attributes?.["http.status_code"]).toBe(201);
  });

  it("records nothing for an undecorated route, which still gets the correlation id", async () => {
    const id = uniqueId("plain");
    const response = await send("/orders/plain", { id });
    expect(await response.json()).toEqual({ plain: true, correlationId: id });
    expect(response.headers.get(HEADER)).toBe(id);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(exporter.getEvents().filter((event) => event.correlationId === id)).toEqual([]);
  });

  it("skips excluded routes: no header echoed, no correlation", async () => {
    const response = await send("/health", { id: uniqueId("health") });
    expect(response.status).toBe(200);
    expect(response.headers.get(HEADER)).toBeNull();
    expect(await response.json()).toEqual({ ok: true });
  });

  it("records a decorated handler on an excluded route, with the inbound or a generated id, echoing none", async () => {
    const id = uniqueId("deep");
    const response = await send("/health/deep", { id });
    expect(response.headers.get(HEADER)).toBeNull();
    expect(await response.json()).toEqual({ correlationId: id, active: id });
    const [event] = await eventsOf(exporter, id, 1);
    expect(event!.action).toBe("health.deep");
    expect(event!.attributes).toEqual({ "http.method": "GET", "http.route": "/health/deep", "http.status_code": 200 });

    const generated = (await (await send("/health/deep")).json()) as { correlationId: string; active: string };
    expect(isUuidV4(generated.active)).toBe(true);
    expect(generated.correlationId).toBe(generated.active);
    expect((await eventsOf(exporter, generated.active, 1))[0]!.action).toBe("health.deep");
  });

  it("shows the same id at every layer: middleware, guard, interceptor, pipe, controller, service", async () => {
    const id = uniqueId("probe");
    const tag = `ok-${id}`;
    const response = await send(`/probe/${tag}`, { id, headers: { "x-probe": tag } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ tag, serviceSaw: id, handlerSaw: id });
    expect(probes.get(tag)).toEqual({
      middleware: id,
      guard: id,
      interceptor: id,
      pipe: id,
      controller: id,
      service: id,
      "interceptor-after": id,
    });
    const events = await eventsOf(exporter, id, 2);
    expect(events.map((event) => event.action).sort()).toEqual(["probe.handler", "probe.service"]);
  });

  it("keeps the id through to the exception filter on the error path", async () => {
    const id = uniqueId("filtered");
    const tag = `filter-${id}`;
    const response = await send(`/probe/${tag}`, { id, headers: { "x-probe": tag } });
    expect(response.status).toBe(418);
    expect(await response.json()).toEqual({ filtered: tag, correlationId: id });
    expect(probes.get(tag)).toEqual({ middleware: id, guard: id, interceptor: id, pipe: id, controller: id, service: id, filter: id });
    const events = await eventsOf(exporter, id, 2);
    const handler = byAction(events, "probe.handler");
    expect(handler.status).toBe("error");
    expect(handler.error?.name).toBe("ProbeError");
    // The status the application's filter sent, not the 500 Nest would have chosen.
    expect(handler.attributes?.["http.status_code"]).toBe(418);
  });

  it("keeps the id when the request body arrives in pieces", async () => {
    const id = uniqueId("slow");
    const url = new URL(running.url + "/orders");
    const payload = JSON.stringify({ customer: "slow", amountCents: 77 });
    const status = await new Promise<number>((resolve, reject) => {
      const outgoing = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: "/orders",
          method: "POST",
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload), [HEADER]: id },
        },
        (incoming) => {
          incoming.resume();
          incoming.on("end", () => resolve(incoming.statusCode ?? 0));
        },
      );
      outgoing.on("error", reject);
      outgoing.write(payload.slice(0, 10));
      setTimeout(() => outgoing.end(payload.slice(10)), 30);
    });
    expect(status).toBe(201);
    const events = await eventsOf(exporter, id, 3);
    expect(byAction(events, "payments.charge").inputs).toEqual({ 0: "slow", 1: 77 });
  });

  it("keeps 40 concurrent requests apart", async () => {
    const ids = Array.from({ length: 40 }, (_, i) => uniqueId(`concurrent${i}`));
    const responses = await Promise.all(ids.map((id, i) => postOrder({ customer: `c${i}`, amountCents: 1000 + i }, id)));
    responses.forEach((response, i) => {
      expect(response.status).toBe(201);
      expect(response.headers.get(HEADER)).toBe(ids[i]);
    });
    await waitFor(
      () => (ids.every((id) => exporter.getEvents().filter((e) => e.correlationId === id).length >= 3) ? true : undefined),
      "120 events",
    );
    ids.forEach((id, i) => {
      const events = exporter.getEvents().filter((event) => event.correlationId === id);
      expect(events).toHaveLength(3);
      expect(byAction(events, "orders.create").inputs[0]).toEqual({ customer: `c${i}`, amountCents: 1000 + i });
      expect(byAction(events, "payments.charge").inputs).toEqual({ 0: `c${i}`, 1: 1000 + i });
      expect(byAction(events, "ledger.record").output).toEqual({ entry: `c${i}:${1000 + i}` });
    });
  });
});
