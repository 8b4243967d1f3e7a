// Global prefix, URI versioning and the middleware switches, on both
// platforms, with applications booted through @nestjs/testing.
import { AsyncLocalStorage } from "node:async_hooks";
import { VersioningType } from "@nestjs/common";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CheckedExporter, isUuidV4 } from "../support/event-validator.js";
import { PLATFORMS, startApp, type RunningApp } from "./fixtures/platforms.js";
import { manualMiddlewareAppModule, relayAppModule, SEEN_BY_MIDDLEWARE, versionedAppModule } from "./fixtures/versioned-app.js";
import { eventsOf, waitFor } from "./fixtures/wait.js";

const HEADER = "x-intentproof-correlation-id";
let sequence = 0;
const uniqueId = (label: string) => `${label}-${++sequence}`;

const prefixAndVersions = (running: { app: RunningApp["app"] }) => {
  running.app.setGlobalPrefix("api");
  running.app.enableVersioning({ type: VersioningType.URI });
};

describe.each(PLATFORMS)("routing on %s", (platform) => {
  describe("global prefix and URI versioning", () => {
    const exporter = new CheckedExporter();
    let running: RunningApp;
    beforeAll(async () => {
      running = await startApp(platform, versionedAppModule(exporter), {
        via: "testing",
        configure: (app) => prefixAndVersions({ app }),
      });
    });
    afterAll(() => running?.close());

    it("correlates and records versioned, prefixed routes", async () => {
      const id = uniqueId("v1");
      const response = await fetch(`${running.url}/api/v1/items/5`, { headers: { [HEADER]: id } });
      expect(response.status).toBe(200);
      expect(response.headers.get(HEADER)).toBe(id);
      expect(await response.json()).toEqual({ id: "5", correlationId: id, active: id });
      const [event] = await eventsOf(exporter, id, 1);
      expect(event!.action).toBe("items.read");
      expect(event!.attributes).toEqual({ "http.method": "GET", "http.route": "/api/v1/items/:id", "http.status_code": 200 });
    });

    it("keeps @Version and the route when @IntentProof is written above the route decorator", async () => {
      const id = uniqueId("v2");
      const response = await fetch(`${running.url}/api/v2/items/6`, { headers: { [HEADER]: id } });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ id: "6", version: 2, active: id });
      const [event] = await eventsOf(exporter, id, 1);
      expect(event!.action).toBe("items.read.v2");
      expect(event!.attributes?.["http.route"]).toBe("/api/v2/items/:id");
    });

    it("hands a decorated route's recording to its handler through the request's scope: one store, entered once", async () => {
      // Every store a process has enabled costs every promise a hook call on
      // Node 20 and 22, and every entry costs a context frame on Node 24: the
      // stores entered while the request is served are counted. One request
      // first: the first scope entry of a process probes how Node keeps async
      // context, with a store of its own.
      await (await fetch(`${running.url}/api/v1/items/7`)).arrayBuffer();
      const entered: { store: AsyncLocalStorage<unknown>; value: unknown }[] = [];
      const { run, enterWith } = AsyncLocalStorage.prototype;
      AsyncLocalStorage.prototype.run = function (this: AsyncLocalStorage<unknown>, value: unknown, ...rest: unknown[]) {
        entered.push({ store: this, value });
        return Reflect.apply(run, this, [value, ...rest]);
      } as typeof run;
      AsyncLocalStorage.prototype.enterWith = function (this: AsyncLocalStorage<unknown>, value: unknown) {
        entered.push({ store: this, value });
        return Reflect.apply(enterWith, this, [value]);
      };
      const id = uniqueId("store");
      try {
        const response = await fetch(`${running.url}/api/v1/items/7`, { headers: { [HEADER]: id } });
        expect(response.status).toBe(200);
        const [event] = await eventsOf(exporter, id, 1);
        expect(event!.attributes?.["http.status_code"]).toBe(200);
      } finally {
        AsyncLocalStorage.prototype.run = run;
        AsyncLocalStorage.prototype.enterWith = enterWith;
      }
      // The correlation middleware's entry; the route entry and the handler add none.
      expect(entered).toHaveLength(1);
      // Once the event is out, the request's slot holds nothing: async work the
      // request left behind (a pooled connection's socket) keeps its scope, not
      // the recording, the response or the request.
      const scope = entered[0]!.value as { correlationId: string; requestSlot?: object };
      expect(scope.correlationId).toBe(id);
      expect(Object.entries(scope.requestSlot!)).toEqual([["held", undefined]]);
    });

    it("gives undecorated versioned routes the correlation id too", async () => {
      const response = await fetch(`${running.url}/api/v1/items`);
      const echoed = response.headers.get(HEADER);
      expect(isUuidV4(echoed)).toBe(true);
      expect(await response.json()).toEqual({ active: echoed });
    });

    it("runs the application's own middleware inside the request's scope", async () => {
      const id = uniqueId("mw");
      const response = await fetch(`${running.url}/api/v1/items`, { headers: { [HEADER]: id } });
      expect(response.headers.get(SEEN_BY_MIDDLEWARE)).toBe(id);
      expect(await response.json()).toEqual({ active: id });
    });

    if (platform === "express") {
      it("mounts a plain three-argument function on the Express application, not a bound one", () => {
        // Express reads each middleware's `length` on every request; a bound
        // function's is worked out in the engine's C++ each time.
        const stack = (running.app.getHttpAdapter().getInstance() as { router: { stack: { handle: Function }[] } }).router.stack;
        const mounted = stack.map((layer) => layer.handle).filter((handle) => handle.name.endsWith("intentproofCorrelation"));
        expect(mounted.map((handle) => handle.name)).toEqual(["intentproofCorrelation"]);
        expect(mounted[0]!.length).toBe(3);
      });
    }

    // On Express the middleware is mounted on the application (nothing is
    // excluded), so requests outside the global prefix carry an id too; on
    // Fastify it is mounted on the routes under the prefix.
    it("gives a 404 outside the global prefix the id on Express, not on Fastify", async () => {
      const id = uniqueId("outside");
      const response = await fetch(`${running.url}/elsewhere`, { headers: { [HEADER]: id } });
      expect(response.status).toBe(404);
      expect(response.headers.get(HEADER)).toBe(platform === "express" ? id : null);
    });
  });

  describe("mountMiddleware: false", () => {
    const exporter = new CheckedExporter();
    let running: RunningApp;
    beforeAll(async () => {
      running = await startApp(platform, versionedAppModule(exporter, { mountMiddleware: false }), {
        configure: (app) => prefixAndVersions({ app }),
      });
    });
    afterAll(() => running?.close());

    it("echoes nothing, yet decorated handlers still take the inbound id", async () => {
      const id = uniqueId("nomw");
      const response = await fetch(`${running.url}/api/v1/items/9`, { headers: { [HEADER]: id } });
      expect(response.headers.get(HEADER)).toBeNull();
      expect(await response.json()).toEqual({ id: "9", correlationId: id, active: id });
      expect((await eventsOf(exporter, id, 1))[0]!.action).toBe("items.read");
    });

    it("generates an id for a decorated handler called without one, and leaves other routes alone", async () => {
      const before = exporter.getEvents().length;
      const response = await fetch(`${running.url}/api/v1/items/10`);
      const body = (await response.json()) as { active: string; correlationId: string };
      expect(isUuidV4(body.active)).toBe(true);
      expect(body.correlationId).toBe(body.active);
      await waitFor(() => (exporter.getEvents().length > before ? true : undefined), "the event");
      expect(exporter.getEvents().at(-1)!.correlationId).toBe(body.active);
      expect(await (await fetch(`${running.url}/api/v1/items`)).json()).toEqual({ active: null });
    });
  });

  describe("correlation.echoHeader: false and a custom header", () => {
    const exporter = new CheckedExporter();
    let running: RunningApp;
    beforeAll(async () => {
      running = await startApp(
        platform,
        versionedAppModule(exporter, { correlation: { echoHeader: false, headerName: "X-Request-Id" } }),
        { via: "testing", configure: (app) => prefixAndVersions({ app }) },
      );
    });
    afterAll(() => running?.close());

    it("reads the configured header and does not echo it", async () => {
      const id = uniqueId("custom");
      const response = await fetch(`${running.url}/api/v1/items/11`, { headers: { "x-request-id": id, [HEADER]: "ignored" } });
      expect(response.headers.get("x-request-id")).toBeNull();
      expect(response.headers.get(HEADER)).toBeNull();
      expect(((await response.json()) as { active: string }).active).toBe(id);
      expect((await eventsOf(exporter, id, 1))[0]!.action).toBe("items.read");
    });
  });

  describe("IntentProofMiddleware applied by the application itself", () => {
    const exporter = new CheckedExporter();
    let running: RunningApp;
    beforeAll(async () => {
      running = await startApp(platform, manualMiddlewareAppModule(exporter), { configure: (app) => prefixAndVersions({ app }) });
    });
    afterAll(() => running?.close());

    it("correlates and echoes on the routes it was applied to", async () => {
      const response = await fetch(`${running.url}/api/v1/items`);
      const echoed = response.headers.get(HEADER);
      expect(isUuidV4(echoed)).toBe(true);
      expect(await response.json()).toEqual({ active: echoed });
    });
  });
});

// Express only: Fastify refuses two routes on one path.
describe("a decorated Express route passing the request on with next() to another", () => {
  const exporter = new CheckedExporter();
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp("express", relayAppModule(exporter));
  });
  afterAll(() => running?.close());

  it("records both handlers with the response the client got, each with its own recording", async () => {
    const id = uniqueId("relay");
    const response = await fetch(`${running.url}/relay`, { headers: { [HEADER]: id } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ active: id });
    const events = await eventsOf(exporter, id, 2);
    const byAction = new Map(events.map((event) => [event.action, event]));
    expect([...byAction.keys()].sort()).toEqual(["relay.first", "relay.second"]);
    for (const event of events) {
      expect(event.status).toBe("ok");
      expect(event.attributes).toEqual({ "http.method": "GET", "http.route": "/relay", "http.status_code": 200 });
    }
    // Both records are the response the client got, body included.
    expect(byAction.get("relay.second")!.output).toEqual({ active: id });
    expect(byAction.get("relay.first")!.output).toEqual({ active: id });
  });
});
