/**
 * With `authorization` and `cookie` in `redactKeys`, no credential reaches a
 * record of an Express app: not through the default route inputs, not
 * through `req.rawHeaders`, not through a whole request returned by
 * `captureInput`, not through a request passed to a wrapped call.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Request } from "express";
import { recordRoute } from "../../src/express.js";
import type { ExecutionEvent } from "../../src/core/types.js";
import { checkedClient, closeServers, startApp } from "./recorded-app.js";
import { waitForEvents } from "./serve.js";

afterEach(closeServers);

const TOKEN = "Bearer sk_live_4eC39HqLyjWDarjtT1zdp7dc";
const COOKIE = "session=s%3AnQ9xR7tLm2vK8pZ4.yWq3";
const SECRETS = [TOKEN, "sk_live_4eC39HqLyjWDarjtT1zdp7dc", COOKIE, "nQ9xR7tLm2vK8pZ4"];

function expectNoSecret(event: ExecutionEvent): void {
  const text = JSON.stringify(event);
  for (const secret of SECRETS) expect(text, `${event.action} leaks ${secret}`).not.toContain(secret);
}

describe("recordRoute: credentials in request headers never reach a record", () => {
  it("default inputs, rawHeaders, a whole request from captureInput, and a request passed to a wrapped call", async () => {
    const { client, exporter } = checkedClient({ serialization: { redactKeys: ["authorization", "cookie"] } });
    const inspect = client.wrap({ intent: "Inspect the request", action: "request.inspect" }, (req: Request) => req.method);
    const url = await startApp(client, (app) => {
      app.post("/default/:id", recordRoute({ intent: "Default inputs", action: "inputs.default" }, (_req, res) => res.json({ ok: true })));
      app.post(
        "/raw",
        recordRoute({ intent: "Raw headers", action: "inputs.raw", captureInput: ([req]) => ({ rawHeaders: req.rawHeaders }) }, (_req, res) =>
          res.json({ ok: true }),
        ),
      );
      app.post(
        "/whole",
        recordRoute({ intent: "Whole request", action: "inputs.whole", captureInput: ([req]) => req }, (_req, res) => res.json({ ok: true })),
      );
      app.post(
        "/argument",
        recordRoute({ intent: "Request as argument", action: "inputs.argument" }, (req, res) => res.json({ method: inspect(req) })),
      );
    });
    const headers = { authorization: TOKEN, cookie: COOKIE, "content-type": "application/json" };
    for (const path of ["/default/42?page=1", "/raw", "/whole", "/argument"]) {
      const response = await fetch(`${url}${path}`, { method: "POST", headers, body: JSON.stringify({ amount: 3 }) });
      expect(response.status).toBe(200);
    }
    const events = await waitForEvents(exporter, 5);
    expect(events.map((e) => e.action).sort()).toEqual(["inputs.argument", "inputs.default", "inputs.raw", "inputs.whole", "request.inspect"]);
    for (const event of events) expectNoSecret(event);

    const byAction = new Map(events.map((e) => [e.action, e]));
    // The default inputs are params, query and body: no headers at all.
    expect(byAction.get("inputs.default")!.inputs).toEqual({ params: { id: "42" }, query: { page: "1" }, body: { amount: 3 } });
    // A whole request is a small summary, not kilobytes of internals; the redacted headers show as such.
    const whole = byAction.get("inputs.whole")!.inputs as Record<string, unknown>;
    expect(whole).toMatchObject({ type: "HttpRequest", method: "POST", url: "/whole" });
    expect((whole.headers as Record<string, unknown>).authorization).toBe("[REDACTED]");
    expect(JSON.stringify(whole).length).toBeLessThan(1024);
    const passed = JSON.stringify(byAction.get("request.inspect")!.inputs);
    expect(passed).toContain("HttpRequest");
    expect(passed.length).toBeLessThan(1024);
  });
});
