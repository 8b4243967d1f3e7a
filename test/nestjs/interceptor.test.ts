// IntentProofInterceptor is deprecated and a pass-through: decorated
// handlers are recorded without any interceptor. An application that still
// registers it globally must get exactly one event per request.
import { Controller, Get, Module, Param } from "@nestjs/common";
import { APP_INTERCEPTOR } from "@nestjs/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getCorrelationId } from "../../src/index.js";
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

  it("passes every request through: still one event per request", async () => {
    const id = `interceptor-${platform}`;
    const response = await fetch(`${running.url}/things/3`, { headers: { [HEADER]: id } });
    expect(await response.json()).toEqual({ id: "3", active: id });
    const events = await eventsOf(exporter, id, 1);
    expect(events).toHaveLength(1);
    expect(events[0]!.attributes).toEqual({ "http.method": "GET", "http.route": "/things/:id", "http.status_code": 200 });
  });
});
