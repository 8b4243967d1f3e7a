/**
 * The first mistakes of a new user end in working code or a message naming
 * the fix, never in a silent misbehaviour.
 */
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { client as defaultClient, getCorrelationId } from "../../src/index.js";
import { intentproof, recordRoute } from "../../src/express.js";
import { isUuidV4 } from "../support/event-validator.js";
import { checkedClient, closeServers, oneEvent, start } from "./recorded-app.js";

const HEADER = "x-intentproof-correlation-id";

afterEach(closeServers);

// First: the warning is said once per process, and the bare mounts below would say it.
describe("intentproof() without { client } while the default client was never configured", () => {
  it("warns once at the first request, naming the fix; the request is served normally", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      const { client } = checkedClient();
      const lookup = client.wrap({ intent: "Look up", action: "lookup" }, () => "found");
      const app = express();
      app.use(intentproof());
      app.get("/split", (_req, res) => res.json({ found: lookup() }));
      const url = await start(app);
      expect((await fetch(`${url}/split`)).status).toBe(200);
      expect((await fetch(`${url}/split`)).status).toBe(200);
      await new Promise((resolve) => setImmediate(resolve));
      const ours = warnings.filter((w) => (w as { code?: string }).code === "INTENTPROOF_UNCONFIGURED_DEFAULT_CLIENT");
      expect(ours).toHaveLength(1);
      expect(ours[0]!.message).toContain("app.use(intentproof({ client }))");
    } finally {
      process.off("warning", onWarning);
    }
  });
});

describe("app.use(intentproof) without the call parentheses", () => {
  it("works as app.use(intentproof()): the id is read, echoed and seen by the handler", async () => {
    const app = express();
    app.use(intentproof as never);
    app.get("/id", (_req, res) => res.json({ id: getCorrelationId() ?? null }));
    const url = await start(app);
    const given = await fetch(`${url}/id`, { headers: { [HEADER]: "bare-1" } });
    expect(given.status).toBe(200);
    expect(await given.json()).toEqual({ id: "bare-1" });
    expect(given.headers.get(HEADER)).toBe("bare-1");
    const generated = await fetch(`${url}/id`);
    const { id } = (await generated.json()) as { id: string };
    expect(isUuidV4(id)).toBe(true);
    expect(generated.headers.get(HEADER)).toBe(id);
  });

  it("records a route through the default client, as intentproof() would", async () => {
    const app = express();
    app.use(intentproof as never);
    const events = defaultClient.exporters[0] as unknown as { getEvents(): Array<{ correlationId?: string }> };
    const before = events.getEvents().length;
    app.get("/r", recordRoute({ intent: "Bare mount", action: "bare.mount" }, (_req, res) => res.json({})));
    const url = await start(app);
    await fetch(`${url}/r`, { headers: { [HEADER]: "bare-2" } });
    const deadline = Date.now() + 2000;
    while (events.getEvents().length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(events.getEvents().slice(before).map((e) => e.correlationId)).toEqual(["bare-2"]);
  });
});

describe("a route and its wrapped calls recording through different clients", () => {
  it("warns once, naming the fix, when a recorded route runs without intentproof() before it", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      const { client, exporter } = checkedClient();
      const lookup = client.wrap({ intent: "Look up the order", action: "orders.lookup" }, () => "order");
      const app = express();
      app.get("/late", recordRoute({ intent: "Late middleware", action: "late.mw" }, (_req, res) => res.json({ order: lookup() })));
      // Mounted after the route: it never runs for /late.
      app.use(intentproof({ client }));
      const url = await start(app);
      await fetch(`${url}/late`);
      await fetch(`${url}/late`);
      await oneEventCount(exporter, 2);
      await new Promise((resolve) => setImmediate(resolve));
      const ours = warnings.filter((w) => (w as { code?: string }).code === "INTENTPROOF_ROUTE_WITHOUT_MIDDLEWARE");
      expect(ours).toHaveLength(1);
      expect(ours[0]!.message).toContain("app.use(intentproof({ client }))");
      expect(ours[0]!.message).toContain("recordRoute({ client");
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("does not warn when the pairing is explicit", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      const { client, exporter } = checkedClient();
      const app = express();
      app.use(intentproof({ client }));
      app.get("/paired", recordRoute({ intent: "Paired", action: "paired" }, (_req, res) => res.json({})));
      const url = await start(app);
      await fetch(`${url}/paired`);
      await oneEvent(exporter);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => (w as { code?: string }).code?.startsWith("INTENTPROOF"))).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });
});

async function oneEventCount(exporter: { getEvents(): unknown[] }, count: number): Promise<void> {
  const deadline = Date.now() + 2000;
  while (exporter.getEvents().length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  expect(exporter.getEvents().length).toBe(count);
}

describe("options are read by the shared toolkit", () => {
  it("an unknown intentproof() field suggests the known one", () => {
    expect(() => intentproof({ headername: "x-id" } as never)).toThrow(
      'intentproof/express: intentproof(): unknown field "headername" (did you mean "headerName"?)',
    );
  });

  it("a bad value names the field and shows the value", () => {
    expect(() => intentproof({ echoHeader: "no" } as never)).toThrow('intentproof/express: intentproof(): "echoHeader" must be a boolean, got "no"');
    expect(() => intentproof({ headerName: "bad header" })).toThrow('"headerName" must be a valid HTTP header name');
    expect(() => recordRoute({ intent: "i", action: "a", client: {} } as never, () => {})).toThrow(
      'intentproof/express: recordRoute: "client" must be an IntentProofClient',
    );
  });
});
