// IntentProofInterceptor is no longer attached by @IntentProof; applications
// may still register it. It must never record twice, and it must record a
// decorated handler on its own when the module's guard could not tie the
// request to it (no correlation scope when the guard ran).
import { BadRequestException, Controller, Get, Module, Param } from "@nestjs/common";
import { APP_INTERCEPTOR } from "@nestjs/core";
import { Observable, throwError } from "rxjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIntentProofClient, getCorrelationId } from "../../src/index.js";
import { activateClient, deactivateClient } from "../../src/nestjs/utils/client-registry.js";
import { IntentProof, IntentProofInterceptor, IntentProofModule } from "../../src/nestjs.js";
import { CheckedExporter } from "../support/event-validator.js";
import { PLATFORMS, startApp, type RunningApp } from "./fixtures/platforms.js";
import { eventsOf } from "./fixtures/wait.js";

const HEADER = "x-intentproof-correlation-id";

@Controller("things")
class ThingsController {
  @Get(":id")
  @IntentProof({ intent: "Read a thing", action: "things.read" })
  async read(@Param("id") id: string) {
    await new Promise((resolve) => setImmediate(resolve));
    return { id, active: getCorrelationId() };
  }
}

describe.each(PLATFORMS)("IntentProofInterceptor registered globally on %s", (platform) => {
  const exporter = new CheckedExporter();
  let running: RunningApp;
  beforeAll(async () => {
    @Module({
      imports: [IntentProofModule.forRoot({ exporters: [exporter] })],
      controllers: [ThingsController],
      providers: [{ provide: APP_INTERCEPTOR, useClass: IntentProofInterceptor }],
    })
    class AppModule {}
    running = await startApp(platform, AppModule);
  });
  afterAll(() => running?.close());

  it("passes requests the guard already tied to their handler through: one event each", async () => {
    const id = `interceptor-${platform}`;
    const response = await fetch(`${running.url}/things/3`, { headers: { [HEADER]: id } });
    expect(await response.json()).toEqual({ id: "3", active: id });
    const events = await eventsOf(exporter, id, 1);
    expect(events).toHaveLength(1);
    expect(events[0]!.attributes).toEqual({ "http.method": "GET", "http.route": "/things/:id", "http.status_code": 200 });
  });
});

describe("IntentProofInterceptor when no correlation scope was active at the guard", () => {
  const exporter = new CheckedExporter();
  const client = createIntentProofClient({ exporters: [exporter] });
  const controller = new ThingsController();
  const interceptor = new IntentProofInterceptor();
  beforeAll(() => activateClient(client));
  afterAll(() => deactivateClient(client));

  function contextFor(request: object, response: object) {
    return {
      getHandler: () => ThingsController.prototype.read,
      getType: () => "http",
      switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
    } as never;
  }

  /** What Nest's CallHandler does: calls the handler when subscribed to. */
  function handlerOf(run: () => Promise<unknown>) {
    return {
      handle: () =>
        new Observable((subscriber) => {
          run().then(
            (value) => {
              subscriber.next(value);
              subscriber.complete();
            },
            (error: unknown) => subscriber.error(error),
          );
        }),
    };
  }

  const request = (id: string) => ({ method: "GET", route: { path: "/things/:id" }, headers: { [HEADER]: id }, params: { id: "9" } });

  it("records the handler with the inbound id and the http.* attributes", async () => {
    const observable = interceptor.intercept(contextFor(request("manual-1"), { statusCode: 200 }), handlerOf(() => controller.read("9")));
    const value = await new Promise((resolve, reject) => observable.subscribe({ next: resolve, error: reject }));
    expect(value).toEqual({ id: "9", active: "manual-1" });
    const [event] = await eventsOf(exporter, "manual-1", 1);
    expect(event).toMatchObject({ action: "things.read", status: "ok", inputs: { 0: "9" } });
    expect(event!.attributes).toEqual({ "http.method": "GET", "http.route": "/things/:id", "http.status_code": 200 });
  });

  it("records a failure before the handler ran as a refusal", async () => {
    const observable = interceptor.intercept(contextFor(request("manual-2"), { statusCode: 200 }), {
      handle: () => throwError(() => new BadRequestException("no")),
    });
    await expect(new Promise((resolve, reject) => observable.subscribe({ next: resolve, error: reject }))).rejects.toThrow("no");
    const [event] = await eventsOf(exporter, "manual-2", 1);
    expect(event).toMatchObject({ action: "things.read", status: "error", error: { name: "BadRequestException", code: "400" } });
    expect(event!.inputs).toEqual({ params: { id: "9" } });
  });
});
