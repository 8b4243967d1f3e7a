/**
 * Boots the built sample app (NestJS, then the Express variant) as `npm start`
 * does and runs its flows over real HTTP: the refund chain, the declined card,
 * the collector probe, and the JSON-lines file the records land in.
 */
import { randomUUID } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExecutionEvent } from "../../src/core/types.js";
import { startCollector, type Collector } from "../support/collector.js";
import { expectValidEvent, isUuidV4 } from "../support/event-validator.js";
import { EXPRESS_ENTRY, NEST_ENTRY, startSampleApp, waitFor, type RunningSampleApp } from "./support/sample-app-process.js";
import { allEvents, chainSteps, postJson, REFUND_BODY, stableRecord } from "./support/records.js";
import { groupIntoChains } from "../../sample-app/shared/chains.js";
import type { ProofSummary } from "../../sample-app/shared/chain-proof.js";
import type { FlowRunView } from "../../sample-app/shared/flow-runs.js";
import { readEvidence } from "../../src/evidence/log-reader.js";
import { expectValidV1Records } from "../evidence/support/v1-schema.js";
import { REPO_ROOT } from "./support/sample-app-process.js";

const HEADER = "x-intentproof-correlation-id";
const DEFAULTS = { service: "billing-api", env: "test" };
const REFUND_ID = /^re_[0-9a-f]{24}$/;
const MESSAGE_ID = /^msg_[0-9a-f]{20}$/;

function readJsonLines(path: string): ExecutionEvent[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as ExecutionEvent);
}

async function proofOf(baseUrl: string, correlationId: string): Promise<ProofSummary> {
  const response = await fetch(`${baseUrl}/api/chains?correlationId=${encodeURIComponent(correlationId)}`);
  return ((await response.json()) as { proof: ProofSummary }).proof;
}

/** `intentproof keys export` then `intentproof verify --json` on an evidence directory, through the built bin. */
function verifyWithBin(evidenceDir: string, scratch: string): { status: string; events: number; findings: unknown[] } {
  const cli = join(REPO_ROOT, "dist", "cli.js");
  const keys = join(scratch, "keys.json");
  writeFileSync(keys, execFileSync(process.execPath, [cli, "keys", "export", evidenceDir], { encoding: "utf8" }));
  try {
    return JSON.parse(execFileSync(process.execPath, [cli, "verify", evidenceDir, "--keys", keys, "--json"], { encoding: "utf8" }));
  } catch (error) {
    return JSON.parse((error as { stdout: string }).stdout);
  }
}

/** The two provider-side records of a refund, identical in both variants. */
function refundStepRecords(correlationId: string, refundId: string, messageId: string) {
  return [
    {
      correlationId,
      intent: "Return captured funds to the customer",
      action: "stripe.refund.create",
      inputs: { paymentIntentId: "pi_1042_paid", amountCents: 4999, reason: "requested_by_customer" },
      output: { refundId, status: "succeeded", amountCents: 4999 },
      status: "ok",
      attributes: { ...DEFAULTS, vendor: "stripe", step: "refund_money" },
    },
    {
      correlationId,
      intent: "Send the customer a receipt for their refund",
      action: "email.customer.refund_receipt",
      inputs: { customerId: "cus_8fK2Lm", orderId: "ORD-1042", refundId, amountCents: 4999 },
      output: { messageId, status: "queued" },
      status: "ok",
      attributes: { ...DEFAULTS, channel: "email", step: "notify_customer" },
    },
  ];
}

function declinedCaptureRecord(correlationId: string) {
  return {
    correlationId,
    intent: "Capture authorized funds",
    action: "stripe.payment_intent.capture",
    inputs: { paymentIntentId: "pi_3110_card_declined" },
    output: { code: "card_declined", retryable: false },
    status: "error",
    error: { name: "CardDeclinedError", message: "Your card was declined.", code: "card_declined", stack: null },
    attributes: { ...DEFAULTS, vendor: "stripe", step: "capture_funds" },
  };
}

describe("sample app (NestJS): npm start", () => {
  let app: RunningSampleApp;
  let collector: Collector;
  let dir: string;
  let eventsFile: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "intentproof-sample-"));
    // A folder that does not exist yet: the app creates it.
    eventsFile = join(dir, "records", "events.jsonl");
    collector = await startCollector();
    app = await startSampleApp(NEST_ENTRY, {
      INTENTPROOF_EVENTS_FILE: eventsFile,
      INTENTPROOF_COLLECTOR_URL: collector.url,
      INTENTPROOF_COLLECTOR_TOKEN: "test-token-1234",
    });
  });

  afterAll(async () => {
    await app?.stop();
    await collector?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("prints where it listens, where events go, and a curl line to try", () => {
    const banner = app.output();
    expect(banner).toContain(`listening on ${app.url}`);
    expect(banner).toContain(eventsFile);
    expect(banner).toContain(`collector:   ${new URL(collector.url).origin}`);
    expect(banner).toContain(`curl -s -X POST ${app.url}/refunds`);
    expect(banner).not.toContain("test-token-1234");
  });

  it("approves a refund: three records, one correlation id, trimmed to ids and amounts", async () => {
    const correlationId = "e2e-refund-1";
    const response = await postJson(`${app.url}/refunds`, REFUND_BODY, { [HEADER]: correlationId });
    expect(response.status).toBe(201);
    expect(response.headers.get(HEADER)).toBe(correlationId);
    const body = (await response.json()) as { refundId: string; receipt: { messageId: string } };
    expect(body).toEqual({
      orderId: "ORD-1042",
      refundId: expect.stringMatching(REFUND_ID),
      status: "succeeded",
      amountCents: 4999,
      receipt: { messageId: expect.stringMatching(MESSAGE_ID), status: "queued" },
      correlationId,
    });

    const steps = await waitFor(() => chainSteps(app.url, correlationId), (s) => s.length >= 3);
    steps.forEach((step) => expectValidEvent(step));
    expect(steps.map(stableRecord)).toEqual([
      {
        correlationId,
        intent: "Approve a refund for an order",
        action: "refunds.approve",
        inputs: REFUND_BODY,
        output: body,
        status: "ok",
        attributes: {
          ...DEFAULTS,
          step: "approve_refund",
          "http.method": "POST",
          "http.route": "/refunds",
          "http.status_code": 201,
        },
      },
      ...refundStepRecords(correlationId, body.refundId, body.receipt.messageId),
    ]);
    for (const step of steps) expect(isUuidV4(step.id)).toBe(true);
    // The provider's extra fields and the customer's e-mail address stay out of the records.
    expect(JSON.stringify(steps)).not.toMatch(/balance_transaction|ada@example\.com|metadata/);
  });

  it("generates a correlation id when the caller sends none, shared by every step", async () => {
    const response = await postJson(`${app.url}/refunds`, REFUND_BODY);
    expect(response.status).toBe(201);
    const correlationId = response.headers.get(HEADER);
    expect(isUuidV4(correlationId)).toBe(true);
    const steps = await waitFor(() => chainSteps(app.url, correlationId!), (s) => s.length >= 3);
    steps.forEach((step) => expectValidEvent(step));
    expect(steps.map((s) => [s.action, s.correlationId])).toEqual([
      ["refunds.approve", correlationId],
      ["stripe.refund.create", correlationId],
      ["email.customer.refund_receipt", correlationId],
    ]);
  });

  it("a declined card answers 402 and leaves two error records", async () => {
    const correlationId = "e2e-declined-1";
    const response = await fetch(`${app.url}/payments/pi_3110_card_declined/capture`, {
      method: "POST",
      headers: { [HEADER]: correlationId },
    });
    expect(response.status).toBe(402);
    expect(await response.json()).toEqual({ code: "card_declined", message: "Your card was declined." });

    const steps = await waitFor(() => chainSteps(app.url, correlationId), (s) => s.length >= 2);
    steps.forEach((step) => expectValidEvent(step));
    expect(steps.map(stableRecord)).toEqual([
      {
        correlationId,
        intent: "Capture a card payment for an order",
        action: "payments.capture",
        inputs: { paymentIntentId: "pi_3110_card_declined" },
        status: "error",
        error: { name: "HttpException", message: "Your card was declined.", code: "402", stack: null },
        attributes: {
          ...DEFAULTS,
          step: "capture_payment",
          "http.method": "POST",
          "http.route": "/payments/:paymentIntentId/capture",
          "http.status_code": 402,
        },
      },
      declinedCaptureRecord(correlationId),
    ]);
  });

  it("the probe's record reaches the collector as an IntentProof envelope, with the bearer token", async () => {
    const correlationId = "e2e-probe-1";
    const response = await fetch(`${app.url}/probe`, { method: "POST", headers: { [HEADER]: correlationId } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ value: 42, correlationId });

    const [probe] = await chainSteps(app.url, correlationId);
    expectValidEvent(probe);
    expect(stableRecord(probe!)).toEqual({
      correlationId,
      intent: "HTTP test",
      action: "test.http",
      inputs: {},
      output: 42,
      status: "ok",
      attributes: DEFAULTS,
    });

    // The probe answers after flush(), so everything recorded so far has been delivered.
    const request = collector.received.find((r) => r.body?.event?.id === probe!.id);
    expect(request).toBeDefined();
    expect(request!.method).toBe("POST");
    expect(request!.headers["content-type"]).toMatch(/^application\/json/);
    expect(request!.headers.authorization).toBe("Bearer test-token-1234");
    expect(request!.body).toEqual({ intentproof: "1", event: probe });

    const delivered = collector.events();
    delivered.forEach((event) => expectValidEvent(event));
    const kept = await allEvents(app.url);
    expect(new Set(delivered.map((e) => e.id))).toEqual(new Set(kept.map((e) => e.id)));
  });

  it("signs every record into evidence beside the JSON-lines file; the proof API shows the refund chain verified", async () => {
    const proof = await proofOf(app.url, "e2e-refund-1");
    expect(proof.chains["e2e-refund-1"]).toEqual({ status: "verified", records: 3, findings: [] });
    expect(proof.log).toMatchObject({ status: "pass", findings: [] });
    expect(proof.log.events).toBeGreaterThanOrEqual(3);
    expect(existsSync(join(dir, "records", "evidence"))).toBe(true);
  });

  it("on shutdown, the JSON-lines file (owner-only) holds exactly the recorded events", async () => {
    const kept = await allEvents(app.url);
    expect(kept.length).toBe(3 + 3 + 2 + 1);
    await app.stop();

    // The evidence log holds one signed v1 record per event and verifies with the exported keys.
    const streams = await readEvidence(join(dir, "records", "evidence"));
    const records = streams.flatMap((s) => s.entries.flatMap((e) => (e.kind === "event" ? [e.record] : [])));
    expectValidV1Records(records);
    expect(records.map((r) => r.event_id).sort()).toEqual(kept.map((e) => e.id).sort());
    expect(verifyWithBin(join(dir, "records", "evidence"), dir)).toMatchObject({ status: "pass", events: kept.length, findings: [] });

    expect(statSync(eventsFile).mode & 0o777).toBe(0o600);
    const lines = readJsonLines(eventsFile);
    lines.forEach((event) => expectValidEvent(event));
    const byId = new Map(kept.map((event) => [event.id, event]));
    expect(lines).toHaveLength(kept.length);
    for (const line of lines) expect(line).toEqual(byId.get(line.id));
  });
});

describe("sample app (Express variant)", () => {
  let app: RunningSampleApp;
  let dir: string;
  let eventsFile: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "intentproof-sample-express-"));
    eventsFile = join(dir, "events.jsonl");
    app = await startSampleApp(EXPRESS_ENTRY, { INTENTPROOF_EVENTS_FILE: eventsFile, INTENTPROOF_FLOW_IDLE_MS: "200" });
  });

  afterAll(async () => {
    await app?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("records the same refund chain through intentproof/express", async () => {
    const correlationId = "e2e-express-refund-1";
    const response = await postJson(`${app.url}/refunds`, REFUND_BODY, { [HEADER]: correlationId });
    expect(response.status).toBe(201);
    expect(response.headers.get(HEADER)).toBe(correlationId);
    const body = (await response.json()) as { refundId: string; receipt: { messageId: string } };

    const steps = await waitFor(() => chainSteps(app.url, correlationId), (s) => s.length >= 3);
    steps.forEach((step) => expectValidEvent(step));
    expect(steps.map(stableRecord)).toEqual([
      {
        correlationId,
        intent: "Approve a refund for an order",
        action: "refunds.approve",
        inputs: { body: REFUND_BODY },
        output: body,
        status: "ok",
        attributes: {
          ...DEFAULTS,
          step: "approve_refund",
          "http.method": "POST",
          "http.route": "/refunds",
          "http.status_code": 201,
        },
      },
      ...refundStepRecords(correlationId, body.refundId, body.receipt.messageId),
    ]);
  });

  it("a declined card answers 402 with the provider's error on the record", async () => {
    const correlationId = "e2e-express-declined-1";
    const response = await fetch(`${app.url}/payments/pi_3110_card_declined/capture`, {
      method: "POST",
      headers: { [HEADER]: correlationId },
    });
    expect(response.status).toBe(402);
    expect(await response.json()).toEqual({ code: "card_declined", message: "Your card was declined." });

    const steps = await waitFor(() => chainSteps(app.url, correlationId), (s) => s.length >= 2);
    steps.forEach((step) => expectValidEvent(step));
    expect(steps.map((s) => [s.action, s.status])).toEqual([
      ["payments.capture", "error"],
      ["stripe.payment_intent.capture", "error"],
    ]);
    expect(steps[0]!.error).toMatchObject({ name: "CardDeclinedError", code: "card_declined" });
    expect(stableRecord(steps[1]!)).toEqual(declinedCaptureRecord(correlationId));
  });

  it("checks refund flows against the refund policy: ?skipReceipt=1 fails on the skipped receipt, and its bundle verifies", async () => {
    const correlationId = "e2e-express-no-receipt";
    const response = await postJson(`${app.url}/refunds?skipReceipt=1`, REFUND_BODY, { [HEADER]: correlationId });
    expect(response.status).toBe(201);
    (await chainSteps(app.url, correlationId)).forEach((step) => expectValidEvent(step));
    const runOf = async (id: string) => ((await (await fetch(`${app.url}/api/chains`)).json()) as { runs: Record<string, FlowRunView> }).runs[id];
    const failed = await waitFor(() => runOf(correlationId), (run) => run?.status === "fail");
    expect(failed).toEqual({
      status: "fail",
      policyId: "sample-app.payments.refund-with-notification.v1",
      closureReason: "idle_timeout",
      findings: [
        { outcome: "fail", reason: "fail.required.missing", ruleId: "required-customer-notified", summary: "required step skipped: email.customer.refund_receipt" },
      ],
      bundleUrl: `/api/flows/${correlationId}/bundle`,
    });
    expect(await waitFor(() => runOf("e2e-express-refund-1"), (run) => run?.status === "pass")).toMatchObject({ findings: [] });
    // The declined card is outside the policy's scope: no run.
    expect(await runOf("e2e-express-declined-1")).toBeUndefined();

    const bundle = await fetch(`${app.url}${failed!.bundleUrl}`);
    expect(bundle.status).toBe(200);
    const fileName = /filename="([^"]+)"/.exec(bundle.headers.get("content-disposition") ?? "")?.[1];
    expect(fileName).toMatch(/^flow_[0-9a-f]+\.proof\.tar(\.zst)?$/);
    const saved = join(dir, fileName!);
    writeFileSync(saved, Buffer.from(await bundle.arrayBuffer()));
    const keys = join(dir, "keys.json");
    writeFileSync(keys, execFileSync(process.execPath, [join(REPO_ROOT, "dist", "cli.js"), "keys", "export", join(dir, "evidence")], { encoding: "utf8" }));
    const verified = JSON.parse(execFileSync(process.execPath, [join(REPO_ROOT, "dist", "cli.js"), "verify", saved, "--keys", keys, "--json"], { encoding: "utf8" }));
    expect(verified).toMatchObject({ status: "pass", findings: [], run: { bundled_status: "fail", replay_status: "fail", replay_matches: true } });

    expect((await fetch(`${app.url}/api/flows/no-such-flow/bundle`)).status).toBe(404);
  });

  it("marks a chain whose evidence was tampered with, on the proof API", async () => {
    const correlationId = "e2e-express-refund-1";
    expect((await proofOf(app.url, correlationId)).chains[correlationId]).toMatchObject({ status: "verified", records: 3 });
    // Edit one signed record on disk (same length), as someone with write access could.
    const evidenceDir = join(dir, "evidence");
    const instance = readdirSync(evidenceDir, { withFileTypes: true }).find((e) => e.isDirectory())!.name;
    const segment = join(evidenceDir, instance, "events-000001.jsonl");
    const text = readFileSync(segment, "utf8");
    expect(text).toContain('"amountCents":4999');
    writeFileSync(segment, text.replace('"amountCents":4999', '"amountCents":9999'));
    const proof = await proofOf(app.url, correlationId);
    expect(proof.chains[correlationId]?.status).toBe("failed");
    expect(proof.chains[correlationId]?.findings.join("\n")).toContain("signature.invalid");
    expect(proof.log.status).toBe("fail");
    // No bundle is made from evidence that does not verify.
    const refused = await fetch(`${app.url}/api/flows/${correlationId}/bundle`);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { message: string }).message).toContain("signature.invalid");
  });

  it("writes the records to its own JSON-lines file", async () => {
    const kept = await allEvents(app.url);
    await app.stop();
    const lines = readJsonLines(eventsFile);
    expect(lines.map((e) => e.id).sort()).toEqual(kept.map((e) => e.id).sort());
    expect(statSync(eventsFile).mode & 0o777).toBe(0o600);
  });
});

describe("sample app: grouping records into chains (the proof page's order)", () => {
  const at = (ms: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, 0, ms)).toISOString();
  function step(action: string, correlationId: string | undefined, start: number, end: number): ExecutionEvent {
    const failed = action.startsWith("fail");
    const event: ExecutionEvent = {
      id: randomUUID(),
      ...(correlationId === undefined ? {} : { correlationId }),
      intent: action,
      action,
      inputs: {},
      ...(failed ? { error: { name: "Error", message: "declined" } } : { output: null }),
      status: failed ? "error" : "ok",
      startedAt: at(start),
      completedAt: at(end),
      durationMs: end - start,
    };
    expectValidEvent(event);
    return event;
  }

  it("orders steps by start; an enclosing step comes first even when the timestamps tie", () => {
    // Export order is completion order: inner steps before the handler that encloses them.
    const events = [
      step("inner.first", "c1", 10, 40),
      step("inner.second", "c1", 40, 55),
      step("handler", "c1", 10, 55),
      step("fail.inner", "c2", 100, 100),
      step("fail.handler", "c2", 100, 100),
    ];
    const chains = groupIntoChains(events);
    expect(chains.map((c) => [c.correlationId, c.status, c.durationMs])).toEqual([
      ["c2", "error", 0],
      ["c1", "ok", 45],
    ]);
    expect(chains[1]!.steps.map((s) => s.action)).toEqual(["handler", "inner.first", "inner.second"]);
    expect(chains[0]!.steps.map((s) => s.action)).toEqual(["fail.handler", "fail.inner"]);
  });

  it("keeps an uncorrelated record as a chain of its own, and filters by correlation id", () => {
    const events = [step("a", undefined, 1, 2), step("b", "c1", 3, 4)];
    expect(groupIntoChains(events).map((c) => c.correlationId)).toEqual(["c1", `uncorrelated:${events[0]!.id}`]);
    expect(groupIntoChains(events, "c1").map((c) => c.steps.length)).toEqual([1]);
    expect(groupIntoChains(events, "nope")).toEqual([]);
  });
});
